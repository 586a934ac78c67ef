// dialects/postgres/session/startup_params.h
//! Which client start-up parameters reach the backend. A parameter in the StartupMessage (or a
//! `-c name=value` inside `options`) sets a server setting for the session as Warden's backend
//! account, before any statement passes the policy seam — so only settings that shape how data
//! is presented are forwarded; anything else (role, session_authorization,
//! default_transaction_read_only, session_replication_role, log_*, ...) refuses the connection
//! with a clear error instead of being dropped silently. Clients can still SET them through SQL,
//! where policy sees it.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "warden/base/result.h"

namespace warden::dialect::postgres {

//! True for settings a client may pass at start-up (case-insensitive, like server GUC names).
bool isForwardableStartupSetting(std::string_view name);

//! Splits a libpq `options` value ("-c a=b --c=d -c e=f\ g") into name/value settings
//! (backslash escapes a space, as the server does). Error on switches other than -c / --name=.
Result<std::vector<std::pair<std::string, std::string>>> parseStartupOptions(std::string_view options);

//! Filters client parameters for the backend StartupMessage. user, database and replication are
//! handled by the caller and skipped here. Error names the first refused parameter.
Result<std::vector<std::pair<std::string, std::string>>> backendStartupParams(
    const std::vector<std::pair<std::string, std::string>>& client_params);

}  // namespace warden::dialect::postgres
