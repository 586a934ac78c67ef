// core/src/runtime/listen_socket.h
#pragma once

#include <cstdint>
#include <string>

#include "warden/base/result.h"

namespace warden::runtime {

//! A bound, listening, non-blocking TCP socket with SO_REUSEPORT so each worker can own one and
//! the kernel spreads connections across them. `host` must be an IP literal (or "localhost").
Result<int> openListenSocket(const std::string& host, uint16_t port);

}  // namespace warden::runtime
