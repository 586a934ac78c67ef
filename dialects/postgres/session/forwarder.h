// dialects/postgres/session/forwarder.h
//! Coalesces relayed message bytes: consecutive frames that lie next to each other in the input
//! chunk are sent with one write (no copy in the session); bytes from the reader's internal
//! buffer are sent at once (the write copies them).
#pragma once

#include <cstdint>
#include <span>

#include "warden/dialect/dialect.h"

namespace warden::dialect::postgres {

class Forwarder {
 public:
  Forwarder(SessionHost& host, Side to) : host_(host), to_(to) {}

  void add(std::span<const uint8_t> raw, bool in_input) {
    if (raw.empty()) return;
    if (in_input && run_size_ > 0 && run_start_ + run_size_ == raw.data()) {
      run_size_ += raw.size();
      return;
    }
    flush();
    if (in_input) {
      run_start_ = raw.data();
      run_size_ = raw.size();
    } else {
      host_.send(to_, raw);
    }
  }
  void flush() {
    if (run_size_ == 0) return;
    host_.send(to_, std::span<const uint8_t>(run_start_, run_size_));
    run_size_ = 0;
  }
  //! Drops a pending run (the session is closing).
  void reset() { run_size_ = 0; }

 private:
  SessionHost& host_;
  Side to_;
  const uint8_t* run_start_ = nullptr;
  size_t run_size_ = 0;
};

}  // namespace warden::dialect::postgres
