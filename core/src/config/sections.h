// core/src/config/sections.h
//! Internal to the config loader: one reader per top-level section. Each fills its part of the
//! Config and reports every problem into the Reader. Called in this order by loadConfig, so later
//! sections may look at earlier ones: server (workers, plugin_dir, log_level, admin, tls, audit,
//! approvals, state, limits), identity, targets (needs tls and admin.listen), policy (rules,
//! masking, detectors, default_action; needs target names).
#pragma once

#include "warden/config/config.h"
#include "yaml_reader.h"

namespace warden::config::detail {

void readServerSections(Reader& r, const MapView& root, Config& cfg);
void readIdentitySection(Reader& r, const MapView& root, IdentityConfig& identity);
void readTargetsSection(Reader& r, const MapView& root, Config& cfg);
void readPolicySections(Reader& r, const MapView& root, Config& cfg);

}  // namespace warden::config::detail
