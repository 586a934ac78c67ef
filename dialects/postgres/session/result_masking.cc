// dialects/postgres/session/result_masking.cc
#include "session/result_masking.h"

#include <algorithm>

#include "protocol/constants.h"
#include "protocol/messages.h"

namespace warden::dialect::postgres {

namespace {

constexpr uint32_t kFirstNormalObjectId = 16384;  // OIDs below belong to the system catalogs

template <typename Map, typename V>
void putBounded(Map& m, std::string_view key, V value, size_t max) {
  if (m.size() >= max && m.find(std::string(key)) == m.end()) m.clear();
  m[std::string(key)] = std::move(value);
}

//! Splits a DataRow body into text fields (the internal query's rows).
bool splitDataRow(std::span<const uint8_t> body, std::vector<std::string_view>& fields,
                  std::vector<bool>& nulls) {
  fields.clear();
  nulls.clear();
  if (body.size() < 2) return false;
  size_t n = loadBe16(body.data()), pos = 2;
  for (size_t i = 0; i < n; ++i) {
    if (pos + 4 > body.size()) return false;
    int32_t len = int32_t(loadBe32(body.data() + pos));
    pos += 4;
    if (len < 0) {
      fields.emplace_back();
      nulls.push_back(true);
      continue;
    }
    if (size_t(len) > body.size() - pos) return false;
    fields.emplace_back(reinterpret_cast<const char*>(body.data() + pos), size_t(len));
    nulls.push_back(false);
    pos += size_t(len);
  }
  return pos == body.size();
}

}  // namespace

ResultMasking::MaskingPtr ResultMasking::maskingOf(const policy::Decision& d) {
  if (!d.transform) return nullptr;
  const masking::StatementMasking* m = d.transform->asMasking();
  if (!m || !m->session || m->session->empty()) return nullptr;
  // Share ownership with the decision's transform (aliasing constructor).
  return MaskingPtr(d.transform, m);
}

bool ResultMasking::wantsCatalog(const policy::Decision& d) const {
  MaskingPtr m = maskingOf(d);
  if (!m || m->session->rules.empty() || !internal_.empty()) return false;
  return CatalogCache::forThisThread().fresh(target_) == nullptr;
}

void ResultMasking::catalogQuerySent(Bytes& out, uint64_t until_rfq) {
  InternalQuery q;
  q.until_rfq = until_rfq;
  q.generation = CatalogCache::generation();
  q.catalog = std::make_unique<PgCatalog>();
  internal_.push_back(std::move(q));
  encodeQuery(out, PgCatalog::query());
}

void ResultMasking::rememberCursors(const MaskingPtr& m) {
  if (!m || !m->analysis) return;
  for (const auto& s : m->analysis->statements) {
    if (s.kind != sql::Kind::Declare || s.cursor_name.empty() || s.nested.empty()) continue;
    putBounded(cursors_, s.cursor_name, Cursor{m, &s.nested.front()}, kMaxNames);
  }
}

void ResultMasking::queryForwarded(const policy::Decision& d, uint64_t until_rfq) {
  MaskingPtr m = maskingOf(d);
  if (m) last_masking_ = m;
  rememberCursors(m);
  simple_.push_back(SimpleContext{until_rfq, std::move(m), 0});
}

void ResultMasking::statementParsed(std::string_view name, const policy::Decision& d) {
  MaskingPtr m = maskingOf(d);
  if (m) last_masking_ = m;
  rememberCursors(m);
  putBounded(statements_, name, std::move(m), kMaxNames);
}

void ResultMasking::statementClosed(std::string_view name) { statements_.erase(std::string(name)); }

void ResultMasking::portalBound(std::string_view portal, std::string_view statement) {
  auto it = statements_.find(std::string(statement));
  putBounded(portals_, portal, it == statements_.end() ? MaskingPtr() : it->second, kMaxNames);
}

void ResultMasking::portalBoundUnknown() {
  portals_.clear();
  unknown_portals_ = last_masking_;
}

void ResultMasking::portalClosed(std::string_view portal) {
  portals_.erase(std::string(portal));
  portal_rows_.erase(std::string(portal));
}

void ResultMasking::describeForwarded(uint64_t until_rfq) {
  describes_.push_back(DescribeEntry{until_rfq, false, nullptr});
}

void ResultMasking::beforeExecute(std::string_view portal, uint64_t until_rfq, Bytes& out) {
  auto it = portals_.find(std::string(portal));
  MaskingPtr m = it != portals_.end() ? it->second : unknown_portals_;
  if (!m) return;
  out.push_back(fe::kDescribe);
  appendBe32(out, uint32_t(4 + 1 + portal.size() + 1));
  out.push_back('P');
  appendBytes(out, portal);
  out.push_back(0);
  describes_.push_back(DescribeEntry{until_rfq, true, std::move(m), std::string(portal)});
}

void ResultMasking::internalMessage(uint8_t type, std::span<const uint8_t> body) {
  InternalQuery& q = internal_.front();
  switch (type) {
    case be::kDataRow:
      if (!q.failed &&
          (!splitDataRow(body, scratch_fields_, scratch_nulls_) ||
           !q.catalog->addRow(scratch_fields_, scratch_nulls_)))
        q.failed = true;
      break;
    case be::kErrorResponse:
      q.failed = true;
      break;
    case be::kReadyForQuery:
      if (!q.failed) {
        q.catalog->finish();
        CatalogCache::forThisThread().store(target_, PgCatalogPtr(std::move(q.catalog)),
                                            q.generation);
      }
      internal_.pop_front();
      break;
    default:  // RowDescription, CommandComplete, NoticeResponse
      break;
  }
}

const sql::Statement* ResultMasking::lineageFor(const SimpleContext& c) {
  if (!c.masking || !c.masking->analysis) return nullptr;
  const auto& statements = c.masking->analysis->statements;
  if (c.index >= statements.size()) return nullptr;
  const sql::Statement& s = statements[c.index];
  if (s.kind == sql::Kind::Fetch) {
    auto it = cursors_.find(s.cursor_name);
    return it == cursors_.end() ? nullptr : it->second.query;
  }
  return &s;
}

void ResultMasking::startPlan(const MaskingPtr& m, const sql::Statement* lineage,
                              const std::vector<FieldDescription>& fields) {
  masker_.reset();
  plan_ = {};
  plan_session_ = m->session;
  PgCatalogPtr catalog = CatalogCache::forThisThread().any(target_);
  std::vector<masking::ResultColumn> cols(fields.size());
  bool unknown_oid = false;
  for (size_t i = 0; i < fields.size(); ++i) {
    const FieldDescription& f = fields[i];
    masking::ResultColumn& c = cols[i];
    c.name = f.name;
    c.type = valueTypeOf(f.type_oid);
    if (c.type == masking::ValueType::Other && catalog && catalog->textLikeType(f.type_oid))
      c.type = masking::ValueType::Text;
    c.format = f.format == 1 ? masking::Format::Binary : masking::Format::Text;
    if (f.table_oid == 0) continue;
    if (f.table_oid < kFirstNormalObjectId) {
      c.origin = masking::ResultColumn::Origin::Column;
      c.schema = "pg_catalog";
      c.table = "#system";
      c.column = f.name;
      continue;
    }
    const PgCatalog::RelationInfo* rel = catalog ? catalog->byOid(f.table_oid) : nullptr;
    if (!rel || f.column <= 0 || size_t(f.column) > rel->columns.size()) {
      c.origin = masking::ResultColumn::Origin::Unknown;
      unknown_oid = unknown_oid || catalog != nullptr;
      continue;
    }
    c.origin = rel->view ? masking::ResultColumn::Origin::View : masking::ResultColumn::Origin::Column;
    c.schema = rel->schema;
    c.table = rel->name;
    c.column = rel->columns[size_t(f.column - 1)];
  }
  // A relation created since the catalog was loaded: reload at the next idle point.
  if (unknown_oid) CatalogCache::ddlSeen();
  plan_ = masking::buildPlan(*m->session, lineage, cols, catalog.get());
  rows_ = part_start_ = 0;
  exec_portal_.clear();
  limit_ = plan_.max_rows;
  if (plan_.active) masker_.emplace(*plan_session_, plan_);
  for (auto& name : plan_.masked)
    if (std::find(masked_.begin(), masked_.end(), name) == masked_.end()) masked_.push_back(name);
}

Result<bool> ResultMasking::rowDescription(std::span<const uint8_t> body, uint64_t rfq_next) {
  while (!describes_.empty() && describes_.front().until_rfq < rfq_next) describes_.pop_front();
  while (!simple_.empty() && simple_.front().until_rfq < rfq_next) simple_.pop_front();
  if (!describes_.empty() && describes_.front().until_rfq == rfq_next) {
    DescribeEntry e = std::move(describes_.front());
    describes_.pop_front();
    if (!e.ours) return true;
    auto fields = decodeRowDescription(body);
    if (!fields) return fields.error();
    const sql::Statement* lineage = nullptr;
    if (e.masking->analysis && e.masking->analysis->statements.size() == 1) {
      const sql::Statement& s = e.masking->analysis->statements.front();
      if (s.kind == sql::Kind::Fetch) {
        auto it = cursors_.find(s.cursor_name);
        lineage = it == cursors_.end() ? nullptr : it->second.query;
      } else {
        lineage = &s;
      }
    }
    startPlan(e.masking, lineage, fields.value());
    exec_portal_ = e.portal;
    if (auto it = portal_rows_.find(e.portal); it != portal_rows_.end())
      rows_ = part_start_ = it->second;
    return false;
  }
  if (!simple_.empty() && simple_.front().until_rfq == rfq_next && simple_.front().masking) {
    auto fields = decodeRowDescription(body);
    if (!fields) return fields.error();
    startPlan(simple_.front().masking, lineageFor(simple_.front()), fields.value());
  }
  return true;
}

bool ResultMasking::noData(uint64_t rfq_next) {
  while (!describes_.empty() && describes_.front().until_rfq < rfq_next) describes_.pop_front();
  if (describes_.empty() || describes_.front().until_rfq != rfq_next) return true;
  bool ours = describes_.front().ours;
  MaskingPtr m = describes_.front().masking;
  describes_.pop_front();
  if (ours) {
    masker_.reset();
    plan_ = {};
    exec_masking_ = std::move(m);
  }
  return !ours;
}

Result<bool> ResultMasking::dataRow(std::span<const uint8_t> body, Bytes& out) {
  if (!plan_.active || !masker_) return false;
  return rewriter_.rewrite(body, plan_.selected, *masker_, out);
}

std::vector<std::string> ResultMasking::resultEnded(bool command_complete, uint64_t rfq_next) {
  if (masker_) {
    uint32_t fired = masker_->detectorsFired();
    for (size_t d = 0; d < masking::kDetectorCount; ++d) {
      if (!(fired >> d & 1u)) continue;
      std::string name = "detector:" + std::string(masking::detectorName(masking::Detector(d)));
      if (std::find(masked_.begin(), masked_.end(), name) == masked_.end()) masked_.push_back(name);
    }
  }
  copy_.reset();  // holds a reference to masker_
  masker_.reset();
  plan_ = {};
  exec_masking_.reset();
  if (!exec_portal_.empty() || limit_ != 0) {
    // A suspended portal continues its count at its next Execute; a completed one is done.
    if (!command_complete && limit_ != 0) {
      if (portal_rows_.size() >= kMaxNames) portal_rows_.clear();
      portal_rows_[exec_portal_] = rows_;
    } else {
      portal_rows_.erase(exec_portal_);
    }
  }
  rows_ = limit_ = part_start_ = 0;
  exec_portal_.clear();
  while (!simple_.empty() && simple_.front().until_rfq < rfq_next) simple_.pop_front();
  if (command_complete && !simple_.empty() && simple_.front().until_rfq == rfq_next)
    simple_.front().index++;
  std::vector<std::string> out;
  out.swap(masked_);
  return out;
}

void ResultMasking::readyForQuery(uint64_t rfq_seen) {
  while (!describes_.empty() && describes_.front().until_rfq <= rfq_seen) describes_.pop_front();
  while (!simple_.empty() && simple_.front().until_rfq <= rfq_seen) simple_.pop_front();
  copy_.reset();
  exec_masking_.reset();
  masker_.reset();
  plan_ = {};
  masked_.clear();
  rows_ = limit_ = part_start_ = 0;
  exec_portal_.clear();
}

Result<void> ResultMasking::copyOut(std::span<const uint8_t> body, uint64_t rfq_next) {
  copy_.reset();
  while (!simple_.empty() && simple_.front().until_rfq < rfq_next) simple_.pop_front();
  MaskingPtr m;
  const sql::Statement* s = nullptr;
  if (!simple_.empty() && simple_.front().until_rfq == rfq_next && simple_.front().masking) {
    m = simple_.front().masking;
    if (m->analysis && simple_.front().index < m->analysis->statements.size())
      s = &m->analysis->statements[simple_.front().index];
  } else if (exec_masking_) {
    m = exec_masking_;
    if (m->analysis && m->analysis->statements.size() == 1) s = &m->analysis->statements[0];
  }
  if (!m) return {};
  // CopyOutResponse: int8 overall format, int16 columns, int16 format per column.
  if (body.size() < 3) return makeError("short CopyOutResponse");
  const bool binary = body[0] == 1;
  const size_t ncols = loadBe16(body.data() + 1);
  if (body.size() != 3 + 2 * ncols || ncols > kMaxResultColumns)
    return makeError("malformed CopyOutResponse");

  CopyFormat fmt;
  auto one = [](const std::string& v, char& out) {
    if (v.size() != 1) return false;
    out = v[0];
    return true;
  };
  bool ok = true;
  if (s) {
    for (const auto& [name, value] : s->options)
      if (name == "format" && value == "csv") fmt = CopyFormat::csvDefaults();
    bool escape_set = false;
    for (const auto& [name, value] : s->options) {
      if (name == "delimiter") ok = ok && one(value, fmt.delimiter);
      else if (name == "null") fmt.null_string = value;
      else if (name == "quote") ok = ok && one(value, fmt.quote);
      else if (name == "escape") {
        ok = ok && one(value, fmt.escape);
        escape_set = true;
      }
      else if (name == "header") fmt.header = value != "false" && value != "off" && value != "0";
    }
    if (fmt.kind == CopyFormat::Kind::Csv && !escape_set) fmt.escape = fmt.quote;
  }
  if (binary) fmt.kind = CopyFormat::Kind::Binary;
  if (!ok) return makeError("COPY options Warden cannot read while masking applies");

  // The columns: the table's (COPY t TO), the listed ones (COPY t (a, b) TO), or the query's.
  PgCatalogPtr catalog = CatalogCache::forThisThread().any(target_);
  const sql::Statement* lineage = s;
  std::vector<masking::ResultColumn> cols(ncols);
  const PgCatalog::RelationInfo* rel = nullptr;
  if (s && s->kind == sql::Kind::CopyTo && !s->nested.empty()) {
    lineage = &s->nested.front();
  } else if (s && s->kind == sql::Kind::CopyTo && !s->objects.empty() && catalog) {
    rel = catalog->relation(s->objects.front().schema, s->objects.front().name);
  }
  for (auto& c : cols) {
    c.format = binary ? masking::Format::Binary : masking::Format::Text;
    c.type = binary ? masking::ValueType::Other : masking::ValueType::Text;
  }
  if (rel) {
    // Column i of the COPY: the i-th listed column, or the i-th column of the table.
    std::vector<size_t> attrs;
    if (s->projection.size() == 1 && s->projection[0].star) {
      for (size_t a = 0; a < rel->columns.size(); ++a)
        if (!rel->columns[a].empty()) attrs.push_back(a);
    } else {
      for (const auto& p : s->projection) {
        size_t a = 0;
        while (a < rel->columns.size() && rel->columns[a] != p.name) ++a;
        attrs.push_back(a);
      }
    }
    if (attrs.size() == ncols) {
      for (size_t i = 0; i < ncols; ++i) {
        if (attrs[i] >= rel->columns.size()) continue;  // not found: lineage decides
        masking::ResultColumn& c = cols[i];
        c.origin = masking::ResultColumn::Origin::Column;
        c.schema = rel->schema;
        c.table = rel->name;
        c.column = rel->columns[attrs[i]];
        c.type = valueTypeOf(rel->types[attrs[i]]);
        if (c.type == masking::ValueType::Other && catalog->textLikeType(rel->types[attrs[i]]))
          c.type = masking::ValueType::Text;
        if (!binary && c.type == masking::ValueType::Other) c.type = masking::ValueType::Text;
      }
    }
  }
  masker_.reset();
  plan_ = masking::buildPlan(*m->session, lineage, cols, catalog.get());
  plan_session_ = m->session;
  for (auto& name : plan_.masked)
    if (std::find(masked_.begin(), masked_.end(), name) == masked_.end()) masked_.push_back(name);
  if (!plan_.active) {
    plan_ = {};
    return {};
  }
  masker_.emplace(*plan_session_, plan_);
  copy_ = std::make_unique<CopyOutRewriter>(fmt, plan_.selected, *masker_);
  plan_.active = false;  // rows arrive as CopyData, not DataRows
  return {};
}

Result<void> ResultMasking::copyData(std::span<const uint8_t> payload, Bytes& out) {
  out.clear();
  return copy_->feed(payload, out);
}

Result<void> ResultMasking::copyDone() {
  Bytes tail;
  return copy_->finish(tail);
}

}  // namespace warden::dialect::postgres
