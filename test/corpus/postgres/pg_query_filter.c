/* Corpus filter used by the generate_*.sh scripts (not part of any build): keeps only text that
 * libpg_query (PostgreSQL 15's parser) accepts as exactly one statement, writes the corpus format
 * (statements separated by a line containing only ";;", see README.md), and prints counts on
 * stderr.
 *   pg_query_filter sqlsmith KEEP MAX_BYTES  < sqlsmith --dry-run output
 *       (each query ends with ';' at the end of a line; a ';' at a line end inside a literal does
 *        not close the query: the text so far must parse)
 *   pg_query_filter corpus                   < corpus-format text (drops rejected statements)
 * cc -O1 -o pg_query_filter pg_query_filter.c -lpg_query */
#include <pg_query.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int one_stmt(const char* q) {
  PgQueryParseResult r = pg_query_parse(q);
  int ok = r.error == NULL && r.parse_tree && strstr(r.parse_tree, "\"stmts\":[{") != NULL &&
           strstr(r.parse_tree, "}},{\"stmt\"") == NULL;
  pg_query_free_parse_result(r);
  return ok;
}

static char* trim(char* q, size_t* len) {
  while (*len && strchr(" \t\r\n;", q[*len - 1])) q[--*len] = 0;
  while (*q == ' ' || *q == '\n' || *q == '\t' || *q == '\r') { ++q; --*len; }
  return q;
}

/* Only comment lines / blanks: a header chunk, kept as is (the loader skips it). */
static int only_comments(const char* s) {
  while (*s) {
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') ++s;
    if (!*s) return 1;
    if (s[0] != '-' || s[1] != '-') return 0;
    while (*s && *s != '\n') ++s;
  }
  return 1;
}

int main(int argc, char** argv) {
  int smith = argc > 1 && strcmp(argv[1], "sqlsmith") == 0;
  long keep = smith && argc > 2 ? atol(argv[2]) : -1;
  long max_bytes = smith && argc > 3 ? atol(argv[3]) : -1;
  size_t cap = 1 << 20, len = 0;
  char* q = malloc(cap);
  static char line[1 << 20];
  long kept = 0, rejected = 0, total = 0, too_long = 0;
  q[0] = 0;
  while (fgets(line, sizeof line, stdin)) {
    size_t l = strlen(line);
    if (!smith && strcmp(line, ";;\n") == 0) {
      char* s = trim(q, &len);
      if (only_comments(s)) { if (*s) printf("%s\n;;\n", s); }
      else if (++total, one_stmt(s)) { printf("%s\n;;\n", s); ++kept; }
      else { ++rejected; fprintf(stderr, "rejected: %s\n", s); }
      len = 0; q[0] = 0;
      continue;
    }
    if (len + l + 1 > cap) { cap = (len + l + 1) * 2; q = realloc(q, cap); }
    memcpy(q + len, line, l + 1);
    len += l;
    if (!smith) continue;
    while (l && strchr(" \t\r\n", line[l - 1])) line[--l] = 0;
    if (l == 0 || line[l - 1] != ';') continue;
    if (!one_stmt(q) && len < 200000) continue; /* ';' inside a literal: keep reading */
    ++total;
    char* s = trim(q, &len);
    if (!one_stmt(s) || strstr(s, "\n;;\n") || strncmp(s, ";;\n", 3) == 0) ++rejected;
    else if ((long)strlen(s) > max_bytes) ++too_long;
    else if (kept < keep) { printf("%s\n;;\n", s); ++kept; }
    len = 0; q[0] = 0;
  }
  if (!smith && len) { char* s = trim(q, &len); if (*s && !only_comments(s)) { ++total; if (one_stmt(s)) { printf("%s\n;;\n", s); ++kept; } else ++rejected; } }
  fprintf(stderr, "statements=%ld kept=%ld rejected_by_pg_query=%ld", total, kept, rejected);
  if (smith) fprintf(stderr, " longer_than_%ld_bytes=%ld", max_bytes, too_long);
  fprintf(stderr, "\n");
  return 0;
}
