// core/src/admin/http_message.cc
#include "warden/admin/http_message.h"

#include <nlohmann/json.hpp>

namespace warden::admin {

const std::string* HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return &v;
  return nullptr;
}

size_t HttpRequest::headerCount(std::string_view name) const {
  size_t n = 0;
  for (const auto& h : headers)
    if (h.first == name) ++n;
  return n;
}

const char* statusReason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

HttpResponse jsonError(int status, std::string_view message, bool close) {
  HttpResponse r;
  r.status = status;
  // Replacement, not an exception, for invalid UTF-8 (messages may quote client input).
  r.body = nlohmann::json{{"error", std::string(message)}}.dump(
               -1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  r.close = close;
  return r;
}

std::string serializeResponse(const HttpResponse& response, bool close, bool keep_alive_10,
                              bool head_only) {
  std::string out;
  out.reserve(160 + response.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += statusReason(response.status);
  out += "\r\nContent-Type: ";
  out += response.content_type;
  out += "\r\nContent-Length: ";
  out += std::to_string(response.body.size());
  out += "\r\nCache-Control: no-store\r\n";
  for (const auto& [k, v] : response.headers) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  if (close) {
    out += "Connection: close\r\n";
  } else if (keep_alive_10) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  if (!head_only) out += response.body;
  return out;
}

}  // namespace warden::admin
