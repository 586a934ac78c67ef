// core/src/runtime/stream.cc
#include "stream.h"

#include "worker.h"

namespace warden::runtime {

Stream::Stream(Worker& worker, Owner& owner, int side, uint32_t high_wm, uint32_t low_wm)
    : worker_(worker), owner_(owner), side_(side), high_wm_(high_wm), low_wm_(low_wm) {
  tcp_.data = this;
  write_req_.data = this;
}

Stream::~Stream() = default;

int Stream::init() {
  int rc = uv_tcp_init(worker_.loop(), &tcp_);
  if (rc == 0) {
    initialized_ = true;
    tcp_.data = this;
  }
  return rc;
}

void Stream::begin() {
  began_ = true;
  uv_tcp_nodelay(&tcp_, 1);
  updateReading();
}

void Stream::setPaused(uint32_t reason, bool paused) {
  if (paused)
    pause_ |= reason;
  else
    pause_ &= ~reason;
  updateReading();
}

void Stream::updateReading() {
  bool want = began_ && usable() && pause_ == 0 && !close_after_flush_;
  if (want && !reading_) {
    if (uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), &Stream::onAlloc, &Stream::onRead) == 0)
      reading_ = true;
  } else if (!want && reading_) {
    if (usable()) uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
    reading_ = false;
  }
}

void Stream::onAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* self = static_cast<Stream*>(h->data);
  // One buffer per worker: a read callback consumes it fully before the loop reads again.
  auto span = self->worker_.readBuffer();
  *buf = uv_buf_init(reinterpret_cast<char*>(span.data()), static_cast<unsigned>(span.size()));
}

void Stream::onRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<Stream*>(s->data);
  if (nread == 0) return;  // EAGAIN, not EOF
  if (nread < 0) {
    self->reading_ = false;
    self->failed_ = true;
    self->fail_notified_ = true;
    uv_read_stop(s);
    self->owner_.onStreamClosed(*self, nread == UV_EOF ? "closed by peer" : uv_strerror(int(nread)));
    return;
  }
  std::span<const uint8_t> data(reinterpret_cast<const uint8_t*>(buf->base), size_t(nread));
  if (self->tls_) {
    self->handleCiphertext(data);
  } else if (!self->closing_) {
    self->owner_.onStreamData(*self, data);
  }
}

void Stream::handleCiphertext(std::span<const uint8_t> data) {
  tls_->feedCiphertext(data);
  if (tls_handshaking_) {
    auto st = tls_->handshake();
    flushTls();
    if (st == net::TlsChannel::Status::Error) {
      tls_handshaking_ = false;
      std::string err = tls_->lastError();
      owner_.onStreamTlsDone(*this, false, err);
      return;
    }
    if (st != net::TlsChannel::Status::Ok) return;  // needs more
    tls_handshaking_ = false;
    owner_.onStreamTlsDone(*this, true, {});
    if (!usable()) return;
  }
  auto& plain = worker_.plaintextScratch();
  plain.clear();
  auto st = tls_->readPlaintext(plain);
  flushTls();
  if (!plain.empty() && !closing_) owner_.onStreamData(*this, plain);
  if (!usable()) return;
  if (st == net::TlsChannel::Status::Closed || st == net::TlsChannel::Status::Error) {
    failed_ = true;
    fail_notified_ = true;
    if (reading_) uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
    reading_ = false;
    owner_.onStreamClosed(*this, st == net::TlsChannel::Status::Closed
                                     ? std::string("closed by peer (TLS close_notify)")
                                     : "TLS error: " + tls_->lastError());
  }
}

void Stream::startTls(std::shared_ptr<net::TlsContext> ctx, const std::string& server_name) {
  tls_ = std::make_unique<net::TlsChannel>(std::move(ctx), server_name);
  tls_handshaking_ = true;
  if (!tls_->isServerRole()) {
    // Client role speaks first: produce the ClientHello now.
    auto st = tls_->handshake();
    flushTls();
    if (st == net::TlsChannel::Status::Error) {
      tls_handshaking_ = false;
      failLater("TLS error: " + tls_->lastError());
    }
  }
}

void Stream::flushTls() {
  if (!tls_ || tls_->pendingCiphertext() == 0) return;
  auto& out = worker_.ciphertextScratch();
  out.clear();
  tls_->takeCiphertext(out);
  writeRaw(out);
}

void Stream::write(std::span<const uint8_t> data) {
  if (!usable() || data.empty()) return;
  if (tls_) {
    if (tls_->writePlaintext(data) != net::TlsChannel::Status::Ok) {
      failLater("TLS write error: " + tls_->lastError());
      return;
    }
    flushTls();
  } else {
    writeRaw(data);
  }
}

void Stream::writeRaw(std::span<const uint8_t> data) {
  if (!usable() || data.empty()) return;
  if (pending_.empty() && inflight_ == 0) {
    uv_buf_t b = uv_buf_init(const_cast<char*>(reinterpret_cast<const char*>(data.data())),
                             static_cast<unsigned>(data.size()));
    int n = uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), &b, 1);
    if (n == static_cast<int>(data.size())) return;
    if (n < 0 && n != UV_EAGAIN) {
      failLater(std::string("write failed: ") + uv_strerror(n));
      return;
    }
    if (n > 0) data = data.subspan(size_t(n));
  }
  pending_.insert(pending_.end(), data.begin(), data.end());
  if (inflight_ == 0) submitPending();
  checkLevels();
}

void Stream::submitPending() {
  if (pending_.empty() || inflight_ != 0 || !usable()) return;
  inflight_buf_.swap(pending_);
  pending_.clear();
  inflight_ = inflight_buf_.size();
  uv_buf_t b = uv_buf_init(reinterpret_cast<char*>(inflight_buf_.data()),
                           static_cast<unsigned>(inflight_buf_.size()));
  int rc = uv_write(&write_req_, reinterpret_cast<uv_stream_t*>(&tcp_), &b, 1, &Stream::onWrite);
  if (rc != 0) {
    inflight_ = 0;
    failLater(std::string("write failed: ") + uv_strerror(rc));
  }
}

void Stream::onWrite(uv_write_t* req, int status) {
  auto* self = static_cast<Stream*>(req->data);
  self->inflight_ = 0;
  self->inflight_buf_.clear();
  if (status == UV_ECANCELED) return;  // handle is closing
  if (status < 0) {
    self->failLater(std::string("write failed: ") + uv_strerror(status));
    return;
  }
  if (!self->pending_.empty()) {
    self->submitPending();
  } else if (self->close_after_flush_) {
    self->close();
    return;
  } else {
    self->owner_.onStreamFlushed(*self);
  }
  if (self->usable()) self->checkLevels();
}

void Stream::checkLevels() {
  size_t q = queued();
  if (!above_high_ && q > high_wm_) {
    above_high_ = true;
    owner_.onStreamWriteLevel(*this, true);
  } else if (above_high_ && q <= low_wm_) {
    above_high_ = false;
    owner_.onStreamWriteLevel(*this, false);
  }
}

void Stream::failLater(const std::string& reason) {
  // Called from inside a write: do not re-enter the owner now; report from the close callback.
  if (failed_ || closing_) return;
  failed_ = true;
  fail_reason_ = reason;
  close();
}

void Stream::close() {
  if (!initialized_ || closing_) return;
  if (tls_ && !tls_handshaking_ && !failed_ && pending_.empty() && inflight_ == 0) {
    // Best effort close_notify; never blocks.
    tls_->shutdown();
    auto& out = worker_.ciphertextScratch();
    out.clear();
    tls_->takeCiphertext(out);
    if (!out.empty()) {
      uv_buf_t b = uv_buf_init(reinterpret_cast<char*>(out.data()), static_cast<unsigned>(out.size()));
      uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), &b, 1);
    }
  }
  closing_ = true;
  reading_ = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &Stream::onClose);
}

void Stream::closeAfterFlush() {
  if (queued() == 0 || !usable()) {
    close();
    return;
  }
  close_after_flush_ = true;
  updateReading();
}

void Stream::onClose(uv_handle_t* h) {
  auto* self = static_cast<Stream*>(h->data);
  self->closed_ = true;
  if (self->failed_ && !self->fail_notified_) {
    self->fail_notified_ = true;
    self->owner_.onStreamClosed(*self, self->fail_reason_);
  }
  self->owner_.onStreamHandleClosed(*self);
}

}  // namespace warden::runtime
