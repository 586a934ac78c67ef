// core/include/warden/audit/sink.h
//! The audit sink extension point. The audit writer (one thread per process) seals records into
//! canonical lines (record.h) and hands every batch, in log order, first to the built-in file
//! sink (audit.dir, the tamper-evident log) and then to each configured plugin sink
//! (audit.sinks). A plugin sink is a shared object `libwarden_sink_<name>.so` in plugin_dir
//! whose descriptor (plugin/abi.h) has kind WARDEN_PLUGIN_AUDIT_SINK and create_audit_sink.
//!
//! Delivery: write() is called on the writer thread only, never concurrently, with lines that
//! are exactly the on-disk lines without their "\n" (the hash member included, so a receiver
//! can re-verify the chain). A sink may block up to its own bounded timeout. A `required` sink
//! (audit.sinks[].required, default true) is part of the durability contract: when its write
//! fails, the batch is not acknowledged, traffic stops (fail closed) and the writer retries the
//! same lines (the sink must tolerate a batch delivered again after a failure; lines carry seq
//! for de-duplication). An optional sink's failures are logged and counted, never block.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace warden::audit {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  //! Delivers `lines` (each one canonical record, no trailing newline). False with `error` set
  //! when the batch was not (fully) delivered.
  virtual bool write(std::span<const std::string_view> lines, std::string& error) noexcept = 0;
  //! Called once before destruction (writer shutdown): flush what is buffered, bounded in time.
  virtual void close() noexcept {}
};

}  // namespace warden::audit
