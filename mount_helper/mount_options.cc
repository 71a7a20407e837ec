// mount(8) helper argument parsing, option filtering and program lookup.
#include "mount_helper/mount_options.h"

namespace ipcfs::mount_helper {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

void append_options(std::string& to, std::string_view more) {
  if (more.empty()) return;
  if (!to.empty()) to += ',';
  to += more;
}

}  // namespace

HelperArgs parse_helper_args(const std::vector<std::string>& args) {
  HelperArgs a;
  // SPEC and DIR always come first (mount(8) passes them so); SPEC may be any word.
  if (args.size() < 2) {
    a.error = "missing SPEC or DIR";
    return a;
  }
  a.source = args[0];
  a.target = args[1];
  if (a.target.empty() || a.target[0] == '-') {
    a.error = "bad mount point '" + a.target + "'";
    return a;
  }
  for (size_t i = 2; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-' || arg[1] == '-') {
      a.error = "unexpected argument '" + arg + "'";
      return a;
    }
    // Flags may be grouped (-fv); -o, -N and -t take the rest of the word or the next one.
    for (size_t j = 1; j < arg.size(); ++j) {
      char c = arg[j];
      if (c == 'o' || c == 'N' || c == 't') {
        std::string value;
        if (j + 1 < arg.size()) {
          value = arg.substr(j + 1);
        } else if (i + 1 < args.size()) {
          value = args[++i];
        } else {
          a.error = std::string("option -") + c + " needs a value";
          return a;
        }
        if (c == 'o') append_options(a.options, value);
        if (c == 'N') a.ns = value;
        if (c == 't') a.type = value;
        break;
      }
      if (c == 'f') {
        a.fake = true;
      } else if (c == 'v') {
        a.verbose = true;
      } else if (c == 's') {
        a.sloppy = true;
      } else if (c == 'n') {
        a.no_mtab = true;
      } else {
        a.error = std::string("unknown option -") + c;
        return a;
      }
    }
  }
  // The daemon learns its options once, at its start: a remount could not reach it (and ipcfs
  // would otherwise be started a second time on the mount point).
  for (std::string_view rest = a.options; !rest.empty();) {
    size_t comma = rest.find(',');
    if (rest.substr(0, comma) == "remount") {
      a.error = "remount is not supported: umount " + a.target + " and mount it again";
      return a;
    }
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return a;
}

bool is_mount_own_option(std::string_view opt) {
  for (std::string_view word : {"defaults", "auto", "noauto", "user", "users", "nouser", "owner",
                                "group", "nofail", "_netdev"})
    if (opt == word) return true;
  for (std::string_view prefix : {"user=", "comment=", "x-", "helper=", "uhelper="})
    if (starts_with(opt, prefix)) return true;
  return false;
}

bool is_ignored_atime_option(std::string_view opt) {
  for (std::string_view word : {"relatime", "norelatime", "strictatime", "nostrictatime",
                                "lazytime", "nolazytime", "diratime", "nodiratime"})
    if (opt == word) return true;
  return false;
}

std::string filter_options(std::string_view opts) {
  std::string out;
  while (true) {
    size_t comma = opts.find(',');
    std::string_view item = opts.substr(0, comma);
    if (!item.empty() && !is_mount_own_option(item) && !is_ignored_atime_option(item))
      append_options(out, item);
    if (comma == std::string_view::npos) break;
    opts.remove_prefix(comma + 1);
  }
  return out;
}

std::vector<std::string> daemon_argv(const std::string& ipcfs, const HelperArgs& a) {
  std::vector<std::string> argv{ipcfs};
  std::string opts = filter_options(a.options);
  if (!opts.empty()) {
    argv.push_back("-o");
    argv.push_back(opts);
  }
  argv.push_back(a.target);
  return argv;
}

std::string find_ipcfs(std::string_view self_dir, std::string_view bindir,
                       std::string_view path_env,
                       const std::function<bool(const std::string&)>& is_executable) {
  std::vector<std::string_view> dirs{self_dir, bindir};
  while (true) {
    size_t colon = path_env.find(':');
    dirs.push_back(path_env.substr(0, colon));
    if (colon == std::string_view::npos) break;
    path_env.remove_prefix(colon + 1);
  }
  for (std::string_view d : dirs) {
    // A relative directory would depend on where mount(8) happens to run.
    if (d.empty() || d[0] != '/') continue;
    std::string candidate(d);
    if (candidate.back() != '/') candidate += '/';
    candidate += "ipcfs";
    if (is_executable(candidate)) return candidate;
  }
  return "";
}

}  // namespace ipcfs::mount_helper
