// Splitting a migration's SQL into statements with PostgreSQL's own lexer (libpg_query),
// so `;` inside strings, comments and dollar-quoted bodies is never mistaken for an end.
#pragma once

#include <string>
#include <vector>

namespace rokso {

struct SqlStatement {
  std::string text;        // the statement, trimmed, without its trailing ';'
  std::size_t offset = 0;  // byte offset of `text` in the script
};

// The statements of `script`; comments-only and empty chunks are dropped. A script the
// lexer cannot split (e.g. an unterminated string) comes back as one statement, so the
// server reports the error with its own position.
std::vector<SqlStatement> split_sql(const std::string& script);

// Whether `script` holds nothing but whitespace and comments.
bool is_blank_sql(const std::string& script);

// The first byte of a statement's own text in script[begin, end): past the blanks, `;`
// and comments that libpg_query counts as part of the chunk before a statement
// (its stmt_location). For positions (`file:line`) and quoting the statement.
std::size_t statement_text_start(const std::string& script, std::size_t begin, std::size_t end);

}  // namespace rokso
