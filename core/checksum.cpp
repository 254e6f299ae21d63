#include "core/checksum.hpp"

#include "core/checksum_digest.hpp"
#include "core/error.hpp"
#include "core/output.hpp"
#include "core/stat_cache.hpp"

#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <stdexcept>

namespace rokso {

const char* const kChecksumAlgorithm = "sha256-v1";

namespace {

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) throw std::runtime_error("SHA-256 failed");
  }
  void update(const char* data, std::size_t size) {
    if (size > 0 && EVP_DigestUpdate(ctx_.get(), data, size) != 1) throw std::runtime_error("SHA-256 failed");
  }
  void update(const std::string& text) { update(text.data(), text.size()); }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), digest, &length) != 1) throw std::runtime_error("SHA-256 failed");
    static const char digits[] = "0123456789abcdef";
    std::string text;
    for (unsigned int i = 0; i < length; ++i) {
      text += digits[digest[i] >> 4];
      text += digits[digest[i] & 15];
    }
    return text;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

// One field of the framing: "<name> <length>\n<text>\n", the text with CRLF as LF and
// <length> that of the text hashed. The length prefix makes the framing unambiguous
// whatever the texts hold. Streamed, so a 100 MB migration is not copied.
void add_field(Sha256& sha, const char* name, const std::string& text) {
  std::size_t crlf = 0;
  for (std::size_t at = text.find("\r\n"); at != std::string::npos; at = text.find("\r\n", at + 2)) ++crlf;
  sha.update(std::string(name) + " " + std::to_string(text.size() - crlf) + "\n");
  std::size_t from = 0;
  for (std::size_t at = text.find("\r\n"); at != std::string::npos; at = text.find("\r\n", at + 2)) {
    sha.update(text.data() + from, at - from);  // up to the \r; the \n starts the next piece
    from = at + 1;
  }
  sha.update(text.data() + from, text.size() - from);
  sha.update("\n", 1);
}

}  // namespace

// sha256-v1 = SHA-256 of
//   "rokso-migration-checksum-v1\n" "apply <n>\n" <apply SQL> "\n" "rollback <m>\n" <rollback SQL> "\n"
// with CRLF read as LF in both texts, and n, m their lengths in bytes after that, in decimal.
std::string migration_checksum(const std::string& apply_sql, const std::string& rollback_sql) {
  Sha256 sha;
  sha.update("rokso-migration-checksum-v1\n");
  add_field(sha, "apply", apply_sql);
  add_field(sha, "rollback", rollback_sql);
  return sha.hex();
}

std::string file_checksum(const MigrationTree& tree, const MigrationFile& file) {
  const Migration migration = tree.read_as_written(file);
  return migration_checksum(migration.apply_sql, migration.rollback_sql);
}

DriftReport find_drift(const MigrationTree& tree, const History& history, DriftCheck check, bool list_unverified,
                       StatCache* cache) {
  DriftReport report;
  report.files_read = check != DriftCheck::missing_only;
  if (report.files_read) {
    // In application order, which is directory order: each applied file is read once.
    for (const MigrationFile& file : tree.files()) {
      if (history.state_of(file) != History::State::complete) continue;
      // The usual case, compared as digests without a string made (a tenth of a status
      // at 10,000 applied went to making and comparing hex strings).
      if (cache) {
        if (const ChecksumDigest* recorded = history.recorded_digest(file)) {
          ChecksumDigest current{};
          std::string error;
          try {
            current = cache->digest(file);
          } catch (const Error& e) {
            error = one_line(e.what());
          }
          if (!error.empty()) {
            report.modified.push_back({file.identity, digest_hex(*recorded), "", error});
          } else if (current != *recorded) {
            report.modified.push_back({file.identity, digest_hex(*recorded), digest_hex(current), ""});
          } else {
            ++report.verified;
          }
          continue;
        }
      }
      const std::optional<std::string> checksum = history.recorded_checksum(file);
      const bool recorded = checksum && !checksum->empty();
      if (!recorded && check != DriftCheck::all) {
        ++report.unverified_count;
        if (list_unverified) report.unverified.push_back({file.identity, "", "", !checksum});
        continue;
      }
      std::string current, error;
      try {
        current = cache ? cache->checksum(file) : file_checksum(tree, file);
      } catch (const Error& e) {
        error = one_line(e.what());
      }
      if (!recorded) {
        // Nothing to compare with: fine, and adopted by the next migrate.
        ++report.unverified_count;
        report.unverified.push_back({file.identity, current, error, !checksum});
      } else if (!error.empty() || current != *checksum) {
        report.modified.push_back({file.identity, *checksum, current, error});
      } else {
        ++report.verified;
      }
    }
  }
  for (const History::Entry* entry : history.rows_not_in(tree)) {
    report.missing.push_back({std::string(entry->identity), entry->state == History::State::complete});
  }
  return report;
}

std::string list_identities(const std::vector<std::string>& identities, std::size_t shown) {
  std::string text;
  for (std::size_t i = 0; i < identities.size() && i < shown; ++i) text += (i ? ", " : "") + identities[i];
  if (identities.size() > shown) text += " and " + std::to_string(identities.size() - shown) + " more";
  return text;
}

void verify_applied_files(VersionTable& table, const MigrationTree& tree, const History& history,
                          bool allow_modified, StatCache* cache) {
  const DriftReport drift = find_drift(tree, history, DriftCheck::all, true, cache);
  if (!drift.modified.empty()) {
    std::vector<std::string> names;
    for (const ModifiedFile& m : drift.modified) names.push_back(m.identity);
    const std::string what = std::to_string(names.size()) + " applied migration" +
                             (names.size() == 1 ? " was" : "s were") + " modified after being applied: " +
                             list_identities(names);
    if (!allow_modified) {
      throw failure(what + "; restore " + (names.size() == 1 ? "it" : "them") +
                    ", or record the new content with 'rokso accept <identity>' (see 'rokso status'), or rerun with"
                    " --allow-modified");
    }
    out::warning(what + "; going on (--allow-modified), they stay modified until 'rokso accept'");
  }
  std::vector<std::pair<std::string, std::string>> adopt;
  for (const UnverifiedFile& u : drift.unverified) {
    if (u.adoptable && u.error.empty()) adopt.emplace_back(u.identity, u.current);
  }
  const std::size_t adopted = table.adopt_checksums(adopt);
  if (adopted > 0) {
    out::line("Recorded the checksums of " + std::to_string(adopted) + " applied migration" +
              (adopted == 1 ? "" : "s") + " that had none (applied by roksopsql or an older rokso).");
  }
}

}  // namespace rokso
