#include "core/sql_script.hpp"

#include <pg_query.h>

namespace rokso {
namespace {

// Drops whitespace and `--` / `/* */` comments around a chunk.
void strip(const std::string& s, std::size_t& begin, std::size_t& end) {
  for (;;) {
    while (begin < end && (s[begin] == ' ' || s[begin] == '\t' || s[begin] == '\n' || s[begin] == '\r' ||
                           s[begin] == '\f' || s[begin] == ';')) {
      ++begin;
    }
    if (begin + 1 < end && s[begin] == '-' && s[begin + 1] == '-') {
      std::size_t nl = s.find('\n', begin);
      begin = (nl == std::string::npos || nl > end) ? end : nl + 1;
      continue;
    }
    if (begin + 1 < end && s[begin] == '/' && s[begin + 1] == '*') {
      std::size_t close = s.find("*/", begin + 2);
      if (close == std::string::npos || close + 2 > end) break;  // let the server complain
      begin = close + 2;
      continue;
    }
    break;
  }
  while (end > begin && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\n' ||
                         s[end - 1] == '\r' || s[end - 1] == '\f' || s[end - 1] == ';')) {
    --end;
  }
}

}  // namespace

std::vector<SqlStatement> split_sql(const std::string& script) {
  std::vector<SqlStatement> statements;
  PgQuerySplitResult result = pg_query_split_with_scanner(script.c_str());
  if (result.error) {
    pg_query_free_split_result(result);
    std::size_t b = 0, e = script.size();
    strip(script, b, e);
    if (b < e) statements.push_back({script.substr(b, e - b), b});
    return statements;
  }
  for (int i = 0; i < result.n_stmts; ++i) {
    std::size_t b = static_cast<std::size_t>(result.stmts[i]->stmt_location);
    std::size_t e = b + static_cast<std::size_t>(result.stmts[i]->stmt_len);
    if (result.stmts[i]->stmt_len == 0 || e > script.size()) e = script.size();
    strip(script, b, e);
    if (b < e) statements.push_back({script.substr(b, e - b), b});
  }
  pg_query_free_split_result(result);
  return statements;
}

bool is_blank_sql(const std::string& script) {
  std::size_t b = 0, e = script.size();
  strip(script, b, e);
  return b >= e;
}

std::size_t statement_text_start(const std::string& s, std::size_t begin, std::size_t end) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  for (;;) {
    while (begin < end && (is_space(s[begin]) || s[begin] == ';')) ++begin;
    if (begin + 1 < end && s[begin] == '-' && s[begin + 1] == '-') {
      const std::size_t nl = s.find('\n', begin);
      begin = nl == std::string::npos || nl >= end ? end : nl + 1;
      continue;
    }
    if (begin + 1 < end && s[begin] == '/' && s[begin + 1] == '*') {
      const std::size_t close = s.find("*/", begin + 2);
      if (close == std::string::npos || close + 2 > end) return begin;
      begin = close + 2;
      continue;
    }
    return begin;
  }
}

}  // namespace rokso
