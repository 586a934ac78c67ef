// core/src/runtime/stream.h
//! One TCP connection (client or backend side of a session) on a worker loop: reads into the
//! worker's shared buffer, optional TLS via memory BIOs, a bounded write queue that tries to
//! write synchronously first (no copy in the common case) and reports high/low watermarks so the
//! owner can pause the opposite side (backpressure).
//! Threading: loop thread only. Lifetime: owned by SessionRunner; the uv handle is closed with
//! close() and the owner is told through Owner::onStreamHandleClosed() (free only after that).
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "warden/net/tls_channel.h"

namespace warden::runtime {

class Worker;

class Stream {
 public:
  class Owner {
   public:
    virtual ~Owner() = default;
    virtual void onStreamData(Stream& s, std::span<const uint8_t> data) = 0;
    virtual void onStreamClosed(Stream& s, const std::string& reason) = 0;  // EOF / error
    virtual void onStreamTlsDone(Stream& s, bool ok, const std::string& error) = 0;
    virtual void onStreamWriteLevel(Stream& s, bool above_high_watermark) = 0;
    virtual void onStreamFlushed(Stream& s) = 0;  // write queue became empty
    virtual void onStreamHandleClosed(Stream& s) = 0;
  };

  enum PauseReason : uint32_t {
    kPauseOwner = 1,         // the dialect asked (auth, held statement)
    kPauseBackpressure = 2,  // the opposite peer is not draining what we forward to it
    kPauseOwnQueue = 4,      // this peer is not reading its replies: stop taking requests
    kPauseAudit = 8,         // backend bytes wait for their audit record (write-ahead)
  };

  Stream(Worker& worker, Owner& owner, int side, uint32_t high_wm, uint32_t low_wm);
  ~Stream();

  int init();                 // uv_tcp_init
  uv_tcp_t* tcp() { return &tcp_; }
  int side() const { return side_; }
  bool initialized() const { return initialized_; }
  bool usable() const { return initialized_ && !closing_ && !failed_; }

  //! Starts reading (call once connected/accepted); actual reading depends on pause reasons.
  void begin();
  void setPaused(uint32_t reason, bool paused);

  void write(std::span<const uint8_t> data);
  size_t queued() const { return pending_.size() + inflight_; }

  //! TLS: server role (client side of a session) or client role (backend side).
  void startTls(std::shared_ptr<net::TlsContext> ctx, const std::string& server_name);
  bool tlsActive() const { return tls_ != nullptr; }
  //! The verified client certificate's identity (server-role TLS), empty otherwise.
  net::TlsChannel::PeerIdentity peerIdentity() const {
    return tls_ ? tls_->peerIdentity() : net::TlsChannel::PeerIdentity{};
  }

  //! Closes the handle now (queued writes are cancelled).
  void close();
  //! Closes once the write queue is empty (or now if it is).
  void closeAfterFlush();
  bool closing() const { return closing_; }
  bool closed() const { return closed_; }

 private:
  static void onAlloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void onRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void onWrite(uv_write_t* req, int status);
  static void onClose(uv_handle_t* h);

  void updateReading();
  void writeRaw(std::span<const uint8_t> data);
  void submitPending();
  void handleCiphertext(std::span<const uint8_t> data);
  void flushTls();
  void failLater(const std::string& reason);
  void checkLevels();

  Worker& worker_;
  Owner& owner_;
  uv_tcp_t tcp_;
  int side_;
  uint32_t high_wm_, low_wm_;
  bool initialized_ = false, closing_ = false, failed_ = false, began_ = false, reading_ = false;
  bool close_after_flush_ = false, above_high_ = false, closed_ = false, fail_notified_ = false;
  std::string fail_reason_;
  uv_write_t write_req_;
  std::vector<uint8_t> inflight_buf_;
  uint32_t pause_ = 0;
  std::vector<uint8_t> pending_;   // bytes not yet handed to uv_write
  size_t inflight_ = 0;            // bytes in the current uv_write
  std::unique_ptr<net::TlsChannel> tls_;
  bool tls_handshaking_ = false;
};

}  // namespace warden::runtime
