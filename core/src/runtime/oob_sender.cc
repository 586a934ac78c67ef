// core/src/runtime/oob_sender.cc
#include "oob_sender.h"

#include "worker.h"

namespace warden::runtime {

namespace {
constexpr uint64_t kOobDeadlineMs = 5000;
}

OobSender::OobSender(Worker& worker, const sockaddr_storage& addr, std::vector<uint8_t> bytes)
    : worker_(worker), addr_(addr), bytes_(std::move(bytes)) {
  tcp_.data = timer_.data = connect_req_.data = write_req_.data = this;
}

void OobSender::start() {
  uv_timer_init(worker_.loop(), &timer_);
  timer_.data = this;
  open_handles_++;
  uv_timer_start(&timer_, &OobSender::onTimeout, kOobDeadlineMs, 0);
  if (uv_tcp_init(worker_.loop(), &tcp_) != 0) {
    finish();
    return;
  }
  open_handles_++;
  tcp_.data = this;
  if (uv_tcp_connect(&connect_req_, &tcp_, reinterpret_cast<const sockaddr*>(&addr_),
                     &OobSender::onConnect) != 0)
    finish();
}

void OobSender::onConnect(uv_connect_t* req, int status) {
  auto* self = static_cast<OobSender*>(req->data);
  if (status < 0 || self->finishing_) {
    self->finish();
    return;
  }
  uv_buf_t b = uv_buf_init(reinterpret_cast<char*>(self->bytes_.data()),
                           static_cast<unsigned>(self->bytes_.size()));
  if (uv_write(&self->write_req_, reinterpret_cast<uv_stream_t*>(&self->tcp_), &b, 1,
               &OobSender::onWrite) != 0)
    self->finish();
}

void OobSender::onWrite(uv_write_t* req, int status) {
  auto* self = static_cast<OobSender*>(req->data);
  if (status < 0 || self->finishing_) {
    self->finish();
    return;
  }
  // Wait for the server to close (it does so after acting on the request).
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&self->tcp_),
      [](uv_handle_t* h, size_t, uv_buf_t* buf) {
        auto* s = static_cast<OobSender*>(h->data);
        *buf = uv_buf_init(s->sink_, sizeof s->sink_);
      },
      &OobSender::onRead);
}

void OobSender::onRead(uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
  if (nread < 0) static_cast<OobSender*>(s->data)->finish();
}

void OobSender::onTimeout(uv_timer_t* t) { static_cast<OobSender*>(t->data)->finish(); }

void OobSender::abort() { finish(); }

void OobSender::finish() {
  if (finishing_) return;
  finishing_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &OobSender::onClosed);
  if (open_handles_ > 1) uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &OobSender::onClosed);
}

void OobSender::onClosed(uv_handle_t* h) {
  auto* self = static_cast<OobSender*>(h->data);
  if (--self->open_handles_ == 0) self->worker_.oobFinished(self);
}

}  // namespace warden::runtime
