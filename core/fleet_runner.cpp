#include "core/fleet_runner.hpp"

#include "core/command.hpp"
#include "core/database_access.hpp"
#include "core/error.hpp"
#include "core/output.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

extern char** environ;

namespace rokso {

namespace {

volatile std::sig_atomic_t g_signal = 0;

extern "C" void note_signal(int number) { g_signal = number; }

// Threads: the first signal is noted, a second ends the process as run_command's would.
extern "C" void note_signal_or_exit(int number) {
  if (g_signal == 0) {
    g_signal = number;
    const char said[] = "\ninterrupted: the tenants running finish, no other starts (again to stop at once)\n";
    ssize_t ignored = ::write(STDERR_FILENO, said, sizeof said - 1);
    (void)ignored;
    return;
  }
  const char interrupted[] = "\ninterrupted\n";
  const char terminated[] = "\nterminated\n";
  ssize_t ignored = number == SIGTERM ? ::write(STDERR_FILENO, terminated, sizeof terminated - 1)
                                      : ::write(STDERR_FILENO, interrupted, sizeof interrupted - 1);
  (void)ignored;
  ::_exit(number == SIGTERM ? kExitTerminated : kExitInterrupted);
}

// While a fleet runs, SIGINT and SIGTERM are noted (and forwarded by the loop) instead
// of ending this process at once: children must not be orphaned mid-migration.
class SignalsNoted {
 public:
  explicit SignalsNoted(void (*handler)(int) = note_signal) {
    g_signal = 0;
    struct sigaction action {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &old_int_);
    ::sigaction(SIGTERM, &action, &old_term_);
  }
  ~SignalsNoted() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  SignalsNoted(const SignalsNoted&) = delete;
  SignalsNoted& operator=(const SignalsNoted&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

struct Child {
  std::size_t member = 0;
  pid_t pid = -1;
  int out = -1;  // read ends; -1 once at end of file
  int err = -1;
  std::string err_partial;  // a line not yet ended
  std::chrono::steady_clock::time_point started;
  bool signalled = false;
};

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

// One whole line of a child's stderr: to ours in one write, prefixed.
void relay_line(FleetResult& result, const std::string& line) {
  result.error_lines.push_back(line);
  write_all(STDERR_FILENO, "[" + result.name + "] " + line + "\n");
}

// Starts one child with its stdout and stderr on new pipes and stdin on /dev/null.
// Returns false (errno set) when it cannot be started.
bool spawn_child(const std::string& executable, const std::vector<std::string>& args, Child& child) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw failure(std::string("cannot make a pipe: ") + std::strerror(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    throw failure(std::string("cannot make a pipe: ") + std::strerror(errno));
  }
  std::vector<char*> argv;
  std::vector<std::string> storage = args;
  for (std::string& a : storage) argv.push_back(&a[0]);
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  // The child gets the default dispositions: our "note it" handler is not for it.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
  const int rc = ::posix_spawn(&child.pid, executable.c_str(), &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    errno = rc;
    return false;
  }
  child.out = out[0];
  child.err = err[0];
  child.started = std::chrono::steady_clock::now();
  return true;
}

// Reads what is there on one of a child's pipes; closes it at end of file.
void drain(int& fd, Child& child, FleetResult& result, bool is_err) {
  char buffer[65536];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    ::close(fd);
    fd = -1;
    if (is_err && !child.err_partial.empty()) {
      relay_line(result, child.err_partial);
      child.err_partial.clear();
    }
    return;
  }
  if (!is_err) {
    result.output.append(buffer, static_cast<std::size_t>(n));
    return;
  }
  child.err_partial.append(buffer, static_cast<std::size_t>(n));
  std::size_t begin = 0, end;
  while ((end = child.err_partial.find('\n', begin)) != std::string::npos) {
    relay_line(result, child.err_partial.substr(begin, end - begin));
    begin = end + 1;
  }
  child.err_partial.erase(0, begin);
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

// One member on a worker thread: what it prints captured, what it throws turned into
// its exit code and one error line, as run_command() does for a process.
int run_member_captured(FleetResult& result, const std::function<int()>& run) {
  out::Capture capture(result.output, [&result](const std::string& line) { relay_line(result, line); });
  try {
    return run();
  } catch (...) {
    return report_failure(std::current_exception());
  }
}

}  // namespace

const char* fleet_state_name(FleetResult::State state) {
  switch (state) {
    case FleetResult::State::succeeded: return "succeeded";
    case FleetResult::State::failed: return "failed";
    case FleetResult::State::interrupted: return "interrupted";
    case FleetResult::State::skipped: break;
  }
  return "skipped";
}

std::string own_executable() {
  char path[4096];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) throw failure(std::string("cannot find the running executable: ") + std::strerror(errno));
  return std::string(path, static_cast<std::size_t>(n));
}

FleetRun run_fleet(const std::string& executable, const std::vector<std::string>& common_args,
                   const std::vector<FleetMember>& members, const FleetOptions& options,
                   const std::function<void(const FleetResult&)>& on_start,
                   const std::function<void(const FleetResult&)>& on_end) {
  FleetRun run;
  for (const FleetMember& m : members) {
    FleetResult r;
    r.name = m.name;
    run.results.push_back(std::move(r));
  }
  SignalsNoted signals;
  std::vector<Child> running;
  std::size_t next = 0;
  const std::size_t canary = std::min<std::size_t>(static_cast<std::size_t>(std::max(options.canary, 0)), members.size());
  bool stop_launching = false;
  bool any_failed = false;

  auto finish = [&](Child& child) {
    FleetResult& result = run.results[child.member];
    result.exit_code = wait_exit_code(child.pid);
    result.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - child.started).count();
    if (result.exit_code == 0) {
      result.state = FleetResult::State::succeeded;
    } else if (child.signalled && (result.exit_code == 130 || result.exit_code == 143 ||
                                   result.exit_code == 128 + SIGINT || result.exit_code == 128 + SIGTERM)) {
      result.state = FleetResult::State::interrupted;
    } else {
      result.state = FleetResult::State::failed;
      any_failed = true;
    }
    if (on_end) on_end(result);
  };

  for (;;) {
    if (g_signal != 0 && run.signal == 0) {
      run.signal = g_signal;
      stop_launching = true;
    }
    if (run.signal != 0) {
      for (Child& child : running) {
        if (!child.signalled) {
          ::kill(child.pid, run.signal);
          child.signalled = true;
        }
      }
    }
    if (any_failed && !options.keep_going) stop_launching = true;
    for (;;) {
      if (stop_launching || next >= members.size() || running.size() >= static_cast<std::size_t>(options.jobs)) break;
      // The canaries all end before anyone else starts; a failure among them ends the run,
      // --keep-going or not.
      if (canary > 0 && next == canary) {
        if (!running.empty()) break;
        if (any_failed) {
          stop_launching = true;
          break;
        }
      }
      Child child;
      child.member = next;
      std::vector<std::string> args;
      args.push_back(executable);
      args.insert(args.end(), common_args.begin(), common_args.end());
      args.insert(args.end(), members[next].args.begin(), members[next].args.end());
      FleetResult& result = run.results[next];
      ++next;
      if (!spawn_child(executable, args, child)) {
        result.state = FleetResult::State::failed;
        result.exit_code = 1;
        result.duration_ms = 0;
        relay_line(result, std::string("error: cannot start '") + executable + "': " + std::strerror(errno));
        any_failed = true;
        if (on_end) on_end(result);
        if (!options.keep_going) stop_launching = true;
        continue;
      }
      if (on_start) on_start(result);
      running.push_back(std::move(child));
    }
    if (running.empty()) break;

    std::vector<pollfd> fds;
    std::vector<std::pair<std::size_t, bool>> owners;  // index in running, is stderr
    for (std::size_t i = 0; i < running.size(); ++i) {
      if (running[i].out >= 0) {
        fds.push_back({running[i].out, POLLIN, 0});
        owners.emplace_back(i, false);
      }
      if (running[i].err >= 0) {
        fds.push_back({running[i].err, POLLIN, 0});
        owners.emplace_back(i, true);
      }
    }
    if (!fds.empty()) {
      // Bounded, so a signal that lands just before poll() is still acted on promptly.
      const int ready = ::poll(fds.data(), fds.size(), 200);
      if (ready < 0 && errno != EINTR) throw failure(std::string("poll failed: ") + std::strerror(errno));
      for (std::size_t k = 0; ready > 0 && k < fds.size(); ++k) {
        if (fds[k].revents == 0) continue;
        Child& child = running[owners[k].first];
        FleetResult& result = run.results[child.member];
        drain(owners[k].second ? child.err : child.out, child, result, owners[k].second);
      }
    }
    // A child whose both pipes are closed has ended (or closed them itself): reap it.
    for (std::size_t i = 0; i < running.size();) {
      if (running[i].out < 0 && running[i].err < 0) {
        finish(running[i]);
        running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
  }
  if (g_signal != 0 && run.signal == 0) run.signal = g_signal;
  return run;
}

FleetRun run_fleet_in_threads(const std::vector<FleetMember>& members, const FleetOptions& options,
                              const std::function<int(std::size_t member, std::unique_ptr<Database>& connection)>& run,
                              const std::function<void(const FleetResult&)>& on_start,
                              const std::function<void(const FleetResult&)>& on_end) {
  FleetRun fleet;
  for (const FleetMember& m : members) {
    FleetResult r;
    r.name = m.name;
    fleet.results.push_back(std::move(r));
  }
  SignalsNoted signals(note_signal_or_exit);
  const std::size_t canary = std::min<std::size_t>(static_cast<std::size_t>(std::max(options.canary, 0)), members.size());
  std::mutex mutex;  // guards what follows, and the on_start/on_end calls
  std::condition_variable changed;
  std::size_t next = 0, running = 0;
  bool stop_launching = false, any_failed = false;

  // The next member this worker may start, or none: the same rules as run_fleet()'s.
  auto take = [&](std::unique_lock<std::mutex>& lock) -> std::ptrdiff_t {
    for (;;) {
      if (g_signal != 0) stop_launching = true;
      if (any_failed && !options.keep_going) stop_launching = true;
      if (stop_launching || next >= members.size()) return -1;
      if (canary > 0 && next == canary) {
        if (running > 0) {
          // Bounded, so a signal is still noticed while the canaries run.
          changed.wait_for(lock, std::chrono::milliseconds(200));
          continue;
        }
        if (any_failed) {
          stop_launching = true;
          return -1;
        }
      }
      ++running;
      return static_cast<std::ptrdiff_t>(next++);
    }
  };
  auto worker = [&] {
    std::unique_ptr<Database> connection;
    for (;;) {
      std::unique_lock<std::mutex> lock(mutex);
      const std::ptrdiff_t taken = take(lock);
      if (taken < 0) break;
      const std::size_t member = static_cast<std::size_t>(taken);
      FleetResult& result = fleet.results[member];  // this worker's alone until it ends
      if (on_start) on_start(result);
      lock.unlock();
      const auto started = std::chrono::steady_clock::now();
      result.exit_code = run_member_captured(result, [&] { return run(member, connection); });
      result.duration_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
      // A failed member may have left its connection broken or mid-transaction.
      if (result.exit_code != kExitOk) connection.reset();
      lock.lock();
      --running;
      result.state = result.exit_code == kExitOk ? FleetResult::State::succeeded : FleetResult::State::failed;
      if (result.exit_code != kExitOk) any_failed = true;
      if (on_end) on_end(result);
      changed.notify_all();
    }
  };
  std::vector<std::thread> workers;
  const std::size_t count = std::min<std::size_t>(static_cast<std::size_t>(std::max(options.jobs, 1)), members.size());
  for (std::size_t i = 0; i < count; ++i) workers.emplace_back(worker);
  for (std::thread& t : workers) t.join();
  fleet.signal = g_signal;
  return fleet;
}

}  // namespace rokso
