#include "py_evaluate.hpp"

#include <rokso/format_error.hpp>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

extern char** environ;

namespace rokso::py {
namespace {

namespace fs = std::filesystem;

// Runs argv[1] as a module (not as __main__, as roksopsql imported it) with its own
// prints sent to stderr, then prints the values rokso reads as one JSON document.
// Values JSON cannot hold become {"$type": <name>} so the reader can name them.
constexpr const char* kDriver = R"PY(
import json, os, runpy, sys
path = sys.argv[1]
out = sys.stdout
sys.stdout = sys.stderr
try:
    values = runpy.run_path(path, run_name=os.path.splitext(os.path.basename(path))[0])
except BaseException as error:
    line = getattr(error, "lineno", None) if isinstance(error, SyntaxError) else None
    tb = error.__traceback__
    while tb is not None:
        if os.path.abspath(tb.tb_frame.f_code.co_filename) == os.path.abspath(path):
            line = tb.tb_lineno
        tb = tb.tb_next
    message = str(error).replace("\n", " ")
    sys.stderr.write("\nrokso-evaluate-error: %s: %s%s\n" % (line or 0, type(error).__name__, ": " + message if message else ""))
    sys.stderr.flush()
    os._exit(3)
def plain(v):
    if v is None or isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    return {"$type": type(v).__name__}
out.write(json.dumps({k: plain(values[k]) for k in ("migrations", "requires", "transaction", "description") if k in values}))
out.flush()
)PY";

constexpr std::size_t kMaxOutputBytes = 256u << 20;
constexpr std::size_t kKeptErrorBytes = 16u << 10;

[[noreturn]] void fail(const std::string& interpreter, const std::string& message) {
  throw FormatError(0, 0, "running it with " + interpreter + " (--py-evaluate): " + message);
}

double timeout_seconds() {
  const char* env = std::getenv("ROKSO_PY_EVALUATE_TIMEOUT");
  if (!env || !*env) return 60;
  char* end = nullptr;
  const double seconds = std::strtod(env, &end);
  if (end == env || *end != '\0' || !(seconds > 0)) {
    throw FormatError(0, 0, "ROKSO_PY_EVALUATE_TIMEOUT must be a positive number of seconds, not '" + std::string(env) + "'");
  }
  return seconds;
}

// The nearest directory above the file that holds config.json: the project.
fs::path project_dir_of(const fs::path& file) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(file, ec);
  for (fs::path dir = absolute.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / "config.json", ec)) return dir;
    if (dir == dir.root_path()) break;
  }
  return absolute.parent_path();
}

struct ChildResult {
  std::string out;
  std::string err;
  int status = 0;
  bool timed_out = false;
};

class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) throw FormatError(0, 0, std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }
  void close_read() {
    if (fds_[0] >= 0) ::close(fds_[0]);
    fds_[0] = -1;
  }
  void close_write() {
    if (fds_[1] >= 0) ::close(fds_[1]);
    fds_[1] = -1;
  }

 private:
  int fds_[2] = {-1, -1};
};

ChildResult run_child(const std::string& interpreter, const std::string& path, const fs::path& dir) {
  Pipe out;
  Pipe err;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write_end(), 1);
  posix_spawn_file_actions_adddup2(&actions, err.write_end(), 2);
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  std::vector<std::string> args = {interpreter, "-I", "-c", kDriver, path};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, interpreter.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) fail(interpreter, std::string("cannot start it: ") + std::strerror(spawned));
  out.close_write();
  err.close_write();

  ChildResult result;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds());
  bool out_open = true;
  bool err_open = true;
  char buffer[65536];
  while (out_open || err_open) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd fds[2] = {{out.read_end(), POLLIN, 0}, {err.read_end(), POLLIN, 0}};
    if (!out_open) fds[0].fd = -1;
    if (!err_open) fds[1].fd = -1;
    const int ready = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || fds[k].revents == 0) continue;
      const ssize_t n = ::read(fds[k].fd, buffer, sizeof buffer);
      if (n <= 0) {
        (k == 0 ? out_open : err_open) = false;
        continue;
      }
      std::string& target = k == 0 ? result.out : result.err;
      target.append(buffer, static_cast<std::size_t>(n));
      if (k == 0 && target.size() > kMaxOutputBytes) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        fail(interpreter, "it wrote more than 256 MiB");
      }
      if (k == 1 && target.size() > 2 * kKeptErrorBytes) target.erase(0, target.size() - kKeptErrorBytes);
    }
  }
  if (result.timed_out) ::kill(pid, SIGKILL);
  while (::waitpid(pid, &result.status, 0) < 0 && errno == EINTR) {
  }
  return result;
}

const char* json_type(const nlohmann::json& v) {
  if (v.is_null()) return "None";
  if (v.is_boolean()) return "a bool";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "a list";
  if (v.is_object() && v.contains("$type") && v["$type"].is_string()) return "an object";
  if (v.is_object()) return "a dict";
  return "a value";
}

std::string type_of(const nlohmann::json& v) {
  if (v.is_object() && v.contains("$type") && v["$type"].is_string()) return "an object of type " + v["$type"].get<std::string>();
  return json_type(v);
}

void read_extras(Migration& m, const nlohmann::json& holder, const std::string& prefix, const std::string& suffix,
                 const std::string& interpreter) {
  if (holder.contains("requires")) {
    const nlohmann::json& v = holder["requires"];
    if (!v.is_array()) fail(interpreter, prefix + "requires" + suffix + " must be a list of strings, not " + type_of(v));
    m.requires_identities.clear();
    for (const auto& entry : v) {
      if (!entry.is_string()) {
        fail(interpreter, prefix + "requires" + suffix + " entries must be strings, not " + type_of(entry));
      }
      m.requires_identities.push_back(entry.get<std::string>());
    }
  }
  if (holder.contains("transaction")) {
    const nlohmann::json& v = holder["transaction"];
    if (!v.is_boolean()) fail(interpreter, prefix + "transaction" + suffix + " must be True or False, not " + type_of(v));
    m.transactional = v.get<bool>();
  }
  if (holder.contains("description")) {
    const nlohmann::json& v = holder["description"];
    if (!v.is_string()) fail(interpreter, prefix + "description" + suffix + " is not a string (it is " + type_of(v) + ")");
    m.description = v.get<std::string>();
  }
}

}  // namespace

std::string evaluation_interpreter() {
  const char* env = std::getenv("ROKSO_PY_EVALUATE");
  return env ? std::string(env) : std::string();
}

Migration migration_from_evaluation(const std::string& json_text, const std::string& interpreter) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    fail(interpreter, std::string("its output is not the JSON rokso's driver writes: ") + e.what());
  }
  if (!doc.is_object() || !doc.contains("migrations")) {
    fail(interpreter, "the module defines no 'migrations'");
  }
  const nlohmann::json& dict = doc["migrations"];
  if (!dict.is_object() || dict.contains("$type")) {
    fail(interpreter, "'migrations' is not a dict (it is " + type_of(dict) + ")");
  }
  Migration m;
  read_extras(m, doc, "'", "'", interpreter);
  if (!dict.contains("apply")) fail(interpreter, "'migrations' has no \"apply\" key");
  if (!dict["apply"].is_string()) {
    fail(interpreter, "'migrations[\"apply\"]' is not a string (it is " + type_of(dict["apply"]) + ")");
  }
  m.apply_sql = dict["apply"].get<std::string>();
  if (!dict.contains("rollback")) {
    m.notes.push_back(kNoRollbackNote + std::string("'migrations' has no \"rollback\" key"));
  } else if (dict["rollback"].is_null()) {
    m.notes.push_back(kNoRollbackNote + std::string("'migrations[\"rollback\"]' is None"));
  } else if (!dict["rollback"].is_string()) {
    fail(interpreter, "'migrations[\"rollback\"]' is not a string (it is " + type_of(dict["rollback"]) + ")");
  } else {
    m.rollback_sql = dict["rollback"].get<std::string>();
  }
  read_extras(m, dict, "'migrations[\"", "\"]'", interpreter);
  std::string ignored;
  for (const auto& [key, value] : dict.items()) {
    if (key != "apply" && key != "rollback" && key != "requires" && key != "transaction" && key != "description") {
      ignored += (ignored.empty() ? "\"" : ", \"") + key + "\"";
    }
  }
  if (!ignored.empty()) {
    m.notes.push_back("ignored key" + std::string(ignored.find(',') != std::string::npos ? "s " : " ") + ignored +
                      " of 'migrations' (rokso reads apply, rollback, requires, transaction, description)");
  }
  return m;
}

Migration evaluate_py_migration(const std::string& path, const std::string& interpreter, const std::string& refused) {
  const ChildResult child = run_child(interpreter, path, project_dir_of(path));
  if (child.timed_out) {
    fail(interpreter, "it did not finish within " + std::to_string(static_cast<long long>(timeout_seconds())) +
                          " s (ROKSO_PY_EVALUATE_TIMEOUT) and was killed");
  }
  if (!WIFEXITED(child.status) || WEXITSTATUS(child.status) != 0) {
    const std::string marker = "rokso-evaluate-error: ";
    const std::size_t at = child.err.rfind(marker);
    if (at != std::string::npos) {
      std::string rest = child.err.substr(at + marker.size());
      if (const std::size_t nl = rest.find('\n'); nl != std::string::npos) rest.resize(nl);
      const std::size_t colon = rest.find(": ");
      const std::string line = colon == std::string::npos ? "0" : rest.substr(0, colon);
      const std::string what = colon == std::string::npos ? rest : rest.substr(colon + 2);
      fail(interpreter, (line == "0" ? "" : "line " + line + ": ") + what);
    }
    std::string last = child.err;
    while (!last.empty() && (last.back() == '\n' || last.back() == ' ')) last.pop_back();
    if (const std::size_t nl = last.rfind('\n'); nl != std::string::npos) last = last.substr(nl + 1);
    const std::string how = WIFEXITED(child.status) ? "it exited with status " + std::to_string(WEXITSTATUS(child.status))
                                                    : "it was killed by signal " + std::to_string(WTERMSIG(child.status));
    fail(interpreter, how + (last.empty() ? "" : ": " + last));
  }
  Migration m = migration_from_evaluation(child.out, interpreter);
  m.notes.insert(m.notes.begin(), "evaluated by " + interpreter + " (--py-evaluate): rokso's reader refused it: " + refused);
  return m;
}

}  // namespace rokso::py
