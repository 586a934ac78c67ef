// core/src/policy/allow_all.cc
#include "warden/policy/decision.h"

namespace warden::policy {
namespace {
class AllowAll final : public PolicyEngine {
 public:
  Decision evaluate(const StatementRequest&) noexcept override { return Decision{}; }
};
}  // namespace

std::unique_ptr<PolicyEngine> makeAllowAllPolicy() { return std::make_unique<AllowAll>(); }

}  // namespace warden::policy
