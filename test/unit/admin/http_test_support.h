// test/unit/admin/http_test_support.h
//! Helpers for the admin HTTP tests: splitting response bytes back into responses.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace warden::admin::test {

struct ParsedResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

//! Splits serialized responses (status line, headers, Content-Length body). `head` responses
//! have no body whatever Content-Length says. Fails the test (REQUIRE) on malformed output.
std::vector<ParsedResponse> parseResponses(const std::string& bytes, bool head = false);

}  // namespace warden::admin::test
