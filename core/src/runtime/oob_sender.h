// core/src/runtime/oob_sender.h
//! Sends a few bytes to an address on a fresh TCP connection and closes it once the peer closes
//! or a deadline passes (PostgreSQL CancelRequest). Owned by the Worker; self-reports when done.
#pragma once

#include <uv.h>

#include <cstdint>
#include <vector>

namespace warden::runtime {

class Worker;

class OobSender {
 public:
  OobSender(Worker& worker, const sockaddr_storage& addr, std::vector<uint8_t> bytes);
  void start();
  void abort();

 private:
  static void onConnect(uv_connect_t* req, int status);
  static void onWrite(uv_write_t* req, int status);
  static void onRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void onTimeout(uv_timer_t* t);
  static void onClosed(uv_handle_t* h);
  void finish();

  Worker& worker_;
  sockaddr_storage addr_;
  std::vector<uint8_t> bytes_;
  uv_tcp_t tcp_;
  uv_timer_t timer_;
  uv_connect_t connect_req_;
  uv_write_t write_req_;
  char sink_[256];
  int open_handles_ = 0;
  bool finishing_ = false;
};

}  // namespace warden::runtime
