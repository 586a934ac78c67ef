// test/difftest/corpus.h
//! Loader for the SQL corpus format of test/corpus/<dialect>/*.sql (see its README.md): one
//! statement per chunk, chunks separated by a line containing only ";;". Chunks made only of
//! blank lines and `--` comment lines are headers and are skipped. Used by the differential test
//! and the analysis bench (test-only code).
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace warden::corpus {

struct Entry {
  std::string file;  // file name (no directory)
  int index = 0;     // 1-based statement number in the file
  int line = 0;      // 1-based line of the chunk's first line
  std::string text;  // statement text, surrounding whitespace trimmed
};

inline bool onlyComments(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    if (i >= s.size()) return true;
    if (s.substr(i, 2) != "--") return false;
    while (i < s.size() && s[i] != '\n') ++i;
  }
  return true;
}

inline std::string trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

inline void loadFile(const std::filesystem::path& path, std::vector<Entry>& out) {
  std::ifstream in(path, std::ios::binary);
  std::string line, chunk;
  int lineNo = 0, chunkLine = 1, index = 0;
  auto flush = [&] {
    if (!onlyComments(chunk)) {
      Entry e;
      e.file = path.filename().string();
      e.index = ++index;
      e.line = chunkLine;
      e.text = trimmed(chunk);
      out.push_back(std::move(e));
    }
    chunk.clear();
  };
  while (std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == ";;") {
      flush();
      chunkLine = lineNo + 1;
      continue;
    }
    if (chunk.empty()) chunkLine = lineNo;
    chunk += line;
    chunk += '\n';
  }
  flush();
}

//! Each argument is a .sql file or a directory (all its *.sql files, sorted by name).
inline std::vector<Entry> load(const std::vector<std::string>& paths) {
  std::vector<Entry> out;
  for (const auto& p : paths) {
    std::filesystem::path path(p);
    if (std::filesystem::is_directory(path)) {
      std::vector<std::filesystem::path> files;
      for (const auto& f : std::filesystem::directory_iterator(path))
        if (f.path().extension() == ".sql") files.push_back(f.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) loadFile(f, out);
    } else {
      loadFile(path, out);
    }
  }
  return out;
}

}  // namespace warden::corpus
