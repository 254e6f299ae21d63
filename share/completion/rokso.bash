# bash completion for rokso (and roksopsql, its other name). Installed as
# share/bash-completion/completions/rokso, where bash-completion loads it on demand.
#
# Everything is asked of rokso itself, so the completion follows the install: commands
# from `rokso help -a` (rokso-<cmd> found on PATH included), flags from
# `rokso <cmd> --help`, formats and kinds from `rokso plugins --format json`, revisions
# from `rokso status --format json`. Identities are the files under the project's
# migration/ directory (found as rokso finds it: config.json in this directory or above,
# or the one -C names), read from the disk without connecting to the database.

# The directory a -C/--directory earlier on the line names, else the current one.
_rokso_start_dir() {
  local i dir=.
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -C | --directory) dir=${COMP_WORDS[i + 1]} ;;
      -C?*) dir=${COMP_WORDS[i]#-C} ;;
      --directory=*) dir=${COMP_WORDS[i]#--directory=} ;;
    esac
  done
  printf '%s\n' "${dir/#\~/$HOME}"
}

# The project root: the first directory from the start one upwards that holds config.json.
_rokso_project_root() {
  local dir
  dir=$(cd "$(_rokso_start_dir)" 2>/dev/null && pwd) || return 1
  while :; do
    if [[ -f $dir/config.json ]]; then
      printf '%s\n' "$dir"
      return 0
    fi
    [[ $dir == / || -z $dir ]] && return 1
    dir=${dir%/*}
    [[ -z $dir ]] && dir=/
  done
}

# Identities: paths under migration/ of the files a format reads, one per line. The
# rollback half of a .sql pair and what rokso ignores (dot-files, __pycache__, README*,
# *.md, .gitkeep) are left out.
_rokso_identities() {
  local root
  root=$(_rokso_project_root) || return 0
  [[ -d $root/migration ]] || return 0
  (cd "$root/migration" && find . -type f ! -path '*/.*' ! -path '*/__pycache__/*' \
    ! -name 'README*' ! -name '*.md' ! -name '*.rollback.sql' ! -name '*.down.sql' 2>/dev/null) |
    sed 's|^\./||' | LC_ALL=C sort
}

# The value of `"<key>": "<value>"` lines in rokso's indented JSON.
_rokso_json_values() {
  sed -n "s/^ *\"$1\": \"\\([^\"]*\\)\",\\{0,1\\}\$/\\1/p"
}

_rokso_revisions() {
  rokso -C "$(_rokso_start_dir)" status --format json --no-checksums 2>/dev/null | _rokso_json_values revision |
    awk '!seen[$0]++'
}

# Loaded plugins of one kind ("format" or "object-kind"), by name.
_rokso_plugins_of_kind() {
  rokso plugins --format json 2>/dev/null | awk -v want="$1" '
    /"name": / { name = $0; sub(/^ *"name": "/, "", name); sub(/",?$/, "", name) }
    /"kind": / { kind = $0; sub(/^ *"kind": "/, "", kind); sub(/",?$/, "", kind); if (kind == want) print name }'
}

_rokso_commands() {
  rokso help -a 2>/dev/null | awk '/^   [^ ]/ { print $1 }'
}

# A command's flags, as its own --help lists them.
_rokso_flags() {
  rokso "$1" --help 2>/dev/null | sed -n '/^Options:/,$p' | grep '^  -' | sed 's/   .*//' |
    grep -oE '(^|[ [])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[ []//' | LC_ALL=C sort -u
}

_rokso() {
  local cur prev i command=""
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=""
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
  COMPREPLY=()

  # The command: the first word that is not a global option or a global option's value.
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -C | --directory | =) ((i++)) ;;  # "=": bash's split of --color=<when>
      -*) ;;
      *) command=${COMP_WORDS[i]}; break ;;
    esac
  done

  case $prev in
    -C | --directory)
      compopt -o dirnames 2>/dev/null
      COMPREPLY=($(compgen -d -- "$cur"))
      return 0
      ;;
    --color)
      COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
      return 0
      ;;
  esac
  # bash splits "--color=al" at the "=" (COMP_WORDBREAKS): the value is a word of its own.
  if [[ $prev == = && $COMP_CWORD -ge 2 && ${COMP_WORDS[COMP_CWORD - 2]} == --color ]]; then
    COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
    return 0
  fi
  if [[ $cur == --color=* ]]; then
    COMPREPLY=($(compgen -W "auto always never" -- "${cur#--color=}"))
    return 0
  fi

  if [[ -z $command ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "-C --directory -v --verbose -q --quiet --color --py-evaluate --version --help" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$(_rokso_commands) help" -- "$cur"))
    fi
    return 0
  fi

  case $command:$prev in
    migrate:--migration | migrate:--to | mark:--applied | mark:--pending)
      COMPREPLY=($(compgen -W "$(_rokso_identities)" -- "$cur"))
      return 0
      ;;
    rollback:--version)
      COMPREPLY=($(compgen -W "$(_rokso_revisions)" -- "$cur"))
      return 0
      ;;
    create:--type | create:--objecttype)
      COMPREPLY=($(compgen -W "T V M F D $(_rokso_plugins_of_kind object-kind)" -- "$cur"))
      return 0
      ;;
    create:--format)
      COMPREPLY=($(compgen -W "$(_rokso_plugins_of_kind format)" -- "$cur"))
      return 0
      ;;
    *:--format)
      COMPREPLY=($(compgen -W "text json" -- "$cur"))
      return 0
      ;;
    help:*)
      COMPREPLY=($(compgen -W "$(_rokso_commands)" -- "$cur"))
      return 0
      ;;
  esac

  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_rokso_flags "$command") -C -v -q --color" -- "$cur"))
    return 0
  fi
  case $command in
    show | accept | mark)
      COMPREPLY=($(compgen -W "$(_rokso_identities)" -- "$cur"))
      ;;
  esac
  return 0
}

complete -F _rokso rokso roksopsql
