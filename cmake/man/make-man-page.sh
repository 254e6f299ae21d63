#!/usr/bin/env bash
# Writes rokso's man pages at build time from what the binaries print for --help and
# from README.md, so the pages and the help never drift apart (there is no second copy).
#
#   make-man-page.sh command <rokso-cmd binary> <name> <version> <out.1>
#   make-man-page.sh front <rokso binary> <version> <out.1>
#   make-man-page.sh readme <README.md> <section title> <name> <section> <summary> <version> <out>
set -euo pipefail
export LC_ALL=C.UTF-8

# Text made safe for groff: backslashes, leading dots and quotes, and dashes (which man
# would otherwise print as hyphens that cannot be copied into a shell).
roff_text() {
  sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
}

header() {  # header <NAME> <section> <version> <manual title>
  printf '.\\" Generated at build time by cmake/man/make-man-page.sh; do not edit.\n'
  printf '.TH "%s" "%s" "" "rokso %s" "%s"\n' "$1" "$2" "$3" "$4"
}

exit_status_section() {
  cat <<'ROFF'
.SH "EXIT STATUS"
.TP
.B 0
success, or nothing to do
.TP
.B 1
the operation failed: a SQL error, a malformed migration file, the database unreachable, the lock not obtained
.TP
.B 2
usage or configuration error: a bad flag, no project, a broken config.json, an unknown identity or revision, an unanswered prompt
.TP
.B 130
interrupted (SIGINT); the open transaction dies with the connection
.TP
.B 143
terminated (SIGTERM); as for SIGINT
ROFF
}

# The options block of Boost.Program_options' --help, already escaped by roff_text:
# "  \-x [ \-\-long ] <arg>   text" lines, continued by lines indented to the text column.
options_to_roff() {
  awk '
    function flush() { if (flag != "") { sub(/ +$/, "", text); print ".TP"; print "\\fB" flag "\\fR"; print text } flag = ""; text = "" }
    /^  \\-/ {
      flush()
      line = substr($0, 3)
      split_at = match(line, /   +/)
      # An option too long for the column is followed by its text after one space.
      if (!split_at && match(line, /^[^ ]+(( \[[^]]*\])|( <[^>]*>))* /)) split_at = RLENGTH
      if (split_at) { flag = substr(line, 1, split_at - 1); text = substr(line, split_at); sub(/^ +/, "", text) }
      else { flag = line; text = "" }
      next
    }
    /^      +[^ ]/ { t = $0; sub(/^ +/, "", t); sub(/ +$/, "", text); text = (text == "" ? t : text " " t); next }
    { flush() }
    END { flush() }
  '
}

command_page() {
  local binary=$1 name=$2 version=$3 out=$4 help usage summary options
  help=$("$binary" --help)
  usage=$(printf '%s\n' "$help" | sed -n '1s/^usage: //p')
  summary=$(printf '%s\n' "$help" | sed -n '3p')
  options=$(printf '%s\n' "$help" | sed -n '/^Options:/,$p' | sed 1d)
  {
    header "ROKSO-$(tr '[:lower:]' '[:upper:]' <<<"$name")" 1 "$version" "rokso manual"
    echo ".SH NAME"
    printf 'rokso\\-%s \\- %s\n' "$name" "$(roff_text <<<"$summary")"
    echo ".SH SYNOPSIS"
    printf '.nf\n%s\n.fi\n' "$(roff_text <<<"$usage")"
    echo ".SH DESCRIPTION"
    printf '%s.\n' "$(roff_text <<<"${summary^}")"
    printf '.PP\nThe front binary runs it as \\fBrokso %s\\fR. Global options (\\fB\\-C\\fR, \\fB\\-v\\fR, \\fB\\-q\\fR, \\fB\\-\\-color\\fR) may stand before the command or after it; see \\fBrokso\\fR(1).\n' "$name"
    echo ".SH OPTIONS"
    roff_text <<<"$options" | options_to_roff
    exit_status_section
    printf '.SH "SEE ALSO"\n\\fBrokso\\fR(1), \\fBrokso\\-plugins\\fR(7)\n'
  } >"$out"
}

front_page() {
  local binary=$1 version=$2 out=$3 help usage commands
  # Only the install's own commands: not whatever rokso-* the builder has on PATH.
  help=$(env -i PATH=/nonexistent "$binary" --help)
  usage=$(printf '%s\n' "$help" | sed -n '1s/^usage: //p')
  commands=$(printf '%s\n' "$help" | sed -n '/^These are the rokso commands:/,/^$/p' | sed -e 1d -e '/^$/d')
  {
    header ROKSO 1 "$version" "rokso manual"
    echo ".SH NAME"
    echo "rokso \\- PostgreSQL schema migrations, git\\-style (successor of roksopsql)"
    echo ".SH SYNOPSIS"
    printf '.nf\n%s\n.fi\n' "$(roff_text <<<"$usage")"
    cat <<'ROFF'
.SH DESCRIPTION
\fBrokso\fR runs the first \fBrokso\-\fR\fIcommand\fR found in \fB$ROKSO_EXEC_PATH\fR, the
install's own libexec/rokso directory, then \fBPATH\fR, with the arguments untouched; its
exit status is rokso's. A team adds a command by putting an executable named
\fBrokso\-\fR\fIcommand\fR on \fBPATH\fR. \fBroksopsql\fR is another name for \fBrokso\fR.
.SH "GLOBAL OPTIONS"
These may stand before the command or after it.
.TP
\fB\-C\fR \fIdir\fR, \fB\-\-directory\fR=\fIdir\fR
run as if rokso was started in \fIdir\fR; several combine, each relative to the one before
.TP
\fB\-v\fR, \fB\-\-verbose\fR
show each statement and its time
.TP
\fB\-q\fR, \fB\-\-quiet\fR
print errors only (a document asked for with \fB\-\-format json\fR is still printed)
.TP
\fB\-\-color\fR[=\fIwhen\fR]
colour the output: \fBauto\fR (the default: on a terminal, unless \fBNO_COLOR\fR is set or \fBTERM\fR is dumb), \fBalways\fR or \fBnever\fR
.TP
\fB\-\-py\-evaluate\fR[=\fIpython\fR]
run .py migrations rokso cannot fold with this interpreter
.TP
\fB\-\-version\fR, \fB\-\-help\fR
print the version, or the list of commands
.SH COMMANDS
ROFF
    printf '%s\n' "$commands" | awk '{ name = $1; $1 = ""; sub(/^ +/, ""); gsub(/-/, "\\-", name); gsub(/-/, "\\-"); print ".TP"; print "\\fBrokso\\-" name "\\fR(1)"; print }'
    cat <<'ROFF'
.PP
\fBrokso help\fR \fIcommand\fR on a terminal opens the command's manual page; elsewhere, or without \fBman\fR, it prints the command's \fB\-\-help\fR.
.SH ENVIRONMENT
.TP
.B ROKSO_EXEC_PATH
colon\-separated directories searched for \fBrokso\-\fR\fIcommand\fR before the install's own
.TP
.B ROKSO_PLUGIN_PATH
colon\-separated directories searched for plugins before the install's own
.TP
.B NO_COLOR
when set and not empty, no colour unless \fB\-\-color=always\fR
.TP
.BR LC_ALL ", " LC_CTYPE ", " LANG
a locale that is not UTF\-8 (or none, on a terminal) replaces roksopsql's emoji by ASCII markers
.TP
.B ROKSO_LOCK_WAIT
seconds to wait for another migrate or rollback
ROFF
    exit_status_section
    printf '.SH "SEE ALSO"\n\\fBrokso\\-plugins\\fR(7), \\fBpsql\\fR(1), \\fBgit\\fR(1)\n'
  } >"$out"
}

# Sections of README.md (each "### <title>" or "## <title>" named in <titles>,
# separated by "|", up to the next heading of the same or a higher level), converted
# from the Markdown the README uses: paragraphs, "- " lists, fenced code, `code`,
# **bold**, [text](link). The page has no text of its own beyond its NAME line.
readme_page() {
  local readme=$1 titles=$2 name=$3 section=$4 summary=$5 version=$6 out=$7
  {
    header "$(tr '[:lower:]' '[:upper:]' <<<"$name")" "$section" "$version" "rokso manual"
    echo ".SH NAME"
    printf '%s \\- %s\n' "$(roff_text <<<"$name")" "$(roff_text <<<"$summary")"
    awk -v titles="$titles" '
      BEGIN { n = split(titles, list, "|"); for (i = 1; i <= n; i++) wanted[list[i]] = 1 }
      /^#+ / {
        level = index($0, " ") - 1
        title = substr($0, level + 2)
        if (title in wanted) { on = 1; start_level = level; print "@@SH " title; next }
        if (on && level <= start_level) { on = 0; next }
        if (on) { print "@@SS " title; next }
      }
      on { print }
    ' "$readme" | roff_text | awk '
      function inline(s) {
        while (match(s, /`[^`]*`/)) s = substr(s, 1, RSTART - 1) "\\fB" substr(s, RSTART + 1, RLENGTH - 2) "\\fR" substr(s, RSTART + RLENGTH)
        while (match(s, /\*\*[^*]*\*\*/)) s = substr(s, 1, RSTART - 1) "\\fI" substr(s, RSTART + 2, RLENGTH - 4) "\\fR" substr(s, RSTART + RLENGTH)
        while (match(s, /\[[^]]*\]\([^)]*\)/)) { t = substr(s, RSTART + 1); t = substr(t, 1, index(t, "]") - 1); s = substr(s, 1, RSTART - 1) t substr(s, RSTART + RLENGTH) }
        return s
      }
      /^```/ { if (code) { print ".fi"; print ".RE"; code = 0; blank = 0 } else { print ".PP"; print ".RS 4"; print ".nf"; code = 1 }; next }
      code { print; next }
      /^@@S[HS] / { kind = substr($0, 3, 2); t = substr($0, 6); if (kind == "SH") t = toupper(t); gsub(/`/, "", t); print "." kind " \"" t "\""; blank = 1; next }
      /^$/ { if (!blank) print ".PP"; blank = 1; next }
      /^\\- / { sub(/^\\- +/, ""); print ".IP \\(bu 2"; print inline($0); blank = 0; next }
      { sub(/^ +/, ""); print inline($0); blank = 0 }
    '
    printf '.SH "SEE ALSO"\n\\fBrokso\\fR(1), \\fBrokso\\-plugins\\fR(1)\n'
  } >"$out"
}

case "${1:-}" in
  command) shift; command_page "$@" ;;
  front) shift; front_page "$@" ;;
  readme) shift; readme_page "$@" ;;
  *) echo "usage: $0 command|front|readme ..." >&2; exit 2 ;;
esac
