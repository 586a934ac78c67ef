// core/src/runtime/prepared_registry.h
//! The prepared statements one session created, by name, so `EXECUTE name` is decided as the
//! statement it runs. PostgreSQL shares one namespace between SQL PREPARE and protocol-level
//! named statements, so both land here. Bounded; loop thread only.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "warden/policy/decision.h"
#include "warden/sql/statement.h"

namespace warden::runtime {

class PreparedRegistry {
 public:
  static constexpr size_t kMaxEntries = 4096;

  //! The lookup for one request: registered bodies plus those the request itself prepares (in
  //! any order: `EXECUTE p; DEALLOCATE p; PREPARE p AS ...` may run either body, so both count).
  class Batch final : public policy::PreparedLookup {
   public:
    Batch(PreparedRegistry& reg, std::shared_ptr<const sql::Analysis> analysis,
          std::string_view protocol_name, bool protocol_prepare);
    void find(std::string_view name,
              const std::function<void(const sql::Statement&)>& fn) const override;
    //! The request was allowed: apply its PREPARE / DEALLOCATE / DISCARD ALL (and a protocol
    //! Parse's name) to the registry, in statement order.
    void commit();

   private:
    PreparedRegistry& reg_;
    std::shared_ptr<const sql::Analysis> analysis_;
    std::string_view protocol_name_;
    bool protocol_prepare_;
  };

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::shared_ptr<const sql::Analysis> owner;  // keeps `bodies` alive
    std::vector<const sql::Statement*> bodies;
  };
  void put(std::string name, Entry e);
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace warden::runtime
