// dialects/postgres/protocol/message_reader.h
//! Pure, streaming framer for PostgreSQL messages (no sockets, no logging).
//!
//! Typed messages are [type:1][len:4 incl. itself][body]. The reader hands out either a whole
//! message (for messages the session must inspect — queries, auth, startup replies) or, for
//! messages it only relays (DataRow, CopyData, ...), the bytes as they arrive, so a 1 GB row or
//! a 100 MB COPY never has to sit in memory. The caller decides per message type through
//! `StreamPolicy`. Whole messages that arrived in one input chunk are returned as views into that
//! chunk (zero copy); otherwise they are assembled in an internal buffer bounded by
//! `max_message_bytes`.
//!
//! Startup-phase packets have no type byte: [len:4][code:4][payload]; see readStartup().
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace warden::dialect::postgres {

struct ReadEvent {
  enum class Kind {
    NeedMore,   // input exhausted; call again with the next chunk
    Message,    // a whole message: `type`, `body`; `raw` = header+body bytes
    Chunk,      // part of a streamed message: `raw` = the next bytes of it (header included in the first)
    Error,      // protocol violation: `error` says what; the reader is dead afterwards
  };
  Kind kind = Kind::NeedMore;
  uint8_t type = 0;                 // message type byte (Message, Chunk); 0 for startup packets
  uint32_t length = 0;              // body length (Message, Chunk)
  std::span<const uint8_t> body;    // Message only
  std::span<const uint8_t> raw;     // Message: whole frame; Chunk: the bytes to relay
  bool first = false, last = false; // Chunk: first/last piece of the message
  //! True when `raw` points into the caller's input span (so adjacent relays can be coalesced).
  bool raw_in_input = false;
  std::string error;
};

//! Decides per message whether to stream it (true) or deliver it whole (false).
using StreamPolicy = bool (*)(uint8_t type, uint32_t body_length, void* ctx);

class MessageReader {
 public:
  explicit MessageReader(uint32_t max_message_bytes = 64u << 20);

  //! Consumes bytes from the front of `input` and returns the next event. Call repeatedly until
  //! NeedMore (all of `input` consumed) or Error. Views in the event are valid until the next
  //! call or until `input`'s storage changes.
  ReadEvent next(std::span<const uint8_t>& input, StreamPolicy policy, void* ctx);

  //! Startup phase: returns Message with type 0 and `body` = payload after the length
  //! (i.e. code:4 + rest), or NeedMore / Error (length < 8 or > kMaxStartupPacket).
  ReadEvent readStartup(std::span<const uint8_t>& input);

  //! Changes the whole-message limit (e.g. small before authentication, larger after).
  void setMaxMessageBytes(uint32_t max) { max_ = max; }
  //! True when no partial message is held (a message boundary).
  bool atBoundary() const;
  //! Bytes buffered internally (partial header or message).
  size_t buffered() const;

 private:
  uint32_t max_;
  std::vector<uint8_t> buf_;        // partial header or whole-message assembly
  uint8_t type_ = 0;
  uint32_t body_len_ = 0;
  uint64_t remaining_ = 0;          // streamed body bytes still to relay
  bool streaming_ = false;
  bool assembling_ = false;
  bool dead_ = false;
  // Additions (codec implementation):
  bool startup_ = false;            // buf_ holds a partial startup packet (4-byte header)
  bool stale_ = false;              // buf_ was handed out in the last event; drop it on next call
  std::string error_;               // the first protocol error, repeated once dead

  ReadEvent fail(std::string message);
  ReadEvent continueAssembly(std::span<const uint8_t>& input);
  ReadEvent continueStream(std::span<const uint8_t>& input);
  void releaseStale();
};

}  // namespace warden::dialect::postgres
