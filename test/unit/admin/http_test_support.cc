// test/unit/admin/http_test_support.cc
#include "http_test_support.h"

#include <catch2/catch.hpp>

#include <cctype>

namespace warden::admin::test {

std::vector<ParsedResponse> parseResponses(const std::string& bytes, bool head) {
  std::vector<ParsedResponse> out;
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t end = bytes.find("\r\n\r\n", pos);
    REQUIRE(end != std::string::npos);
    std::string head_text = bytes.substr(pos, end - pos);
    pos = end + 4;
    ParsedResponse r;
    size_t line_end = head_text.find("\r\n");
    std::string status_line = head_text.substr(0, line_end);
    REQUIRE(status_line.rfind("HTTP/1.1 ", 0) == 0);
    r.status = std::stoi(status_line.substr(9, 3));
    size_t p = line_end == std::string::npos ? head_text.size() : line_end + 2;
    while (p < head_text.size()) {
      size_t e = head_text.find("\r\n", p);
      if (e == std::string::npos) e = head_text.size();
      std::string line = head_text.substr(p, e - p);
      size_t colon = line.find(':');
      REQUIRE(colon != std::string::npos);
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers[name] = value;
      p = e + 2;
    }
    if (r.status != 100) {
      REQUIRE(r.headers.count("content-length") == 1);
      size_t len = std::stoul(r.headers["content-length"]);
      if (!head) {
        REQUIRE(pos + len <= bytes.size());
        r.body = bytes.substr(pos, len);
        pos += len;
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace warden::admin::test
