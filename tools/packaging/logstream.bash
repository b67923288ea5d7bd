# bash completion for logstream(1): subcommands, the options the installed binary lists in its own
# --help (global ones anywhere, a subcommand's after it: so the list never goes stale), the values of the
# options that take a fixed set, and paths.
_logstream() {
  local cur prev words cword
  if declare -F _init_completion > /dev/null; then
    _init_completion || return
  else
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi
  local program=${words[0]}
  case $prev in
    --format)
      mapfile -t COMPREPLY < <(compgen -W "auto spark-seed common combined vhost_combined nginx custom" -- "$cur")
      return ;;
    --output-mode)
      mapfile -t COMPREPLY < <(compgen -W "complete update append" -- "$cur")
      return ;;
    --sort)
      mapfile -t COMPREPLY < <(compgen -W "spark key count" -- "$cur")
      return ;;
    --sink)
      mapfile -t COMPREPLY < <(compgen -W "console jsonl csv jsonl= csv= html=" -- "$cur")
      compopt -o nospace 2> /dev/null
      return ;;
    --checkpoint)
      compopt -o filenames 2> /dev/null
      mapfile -t COMPREPLY < <(compgen -d -- "$cur")
      return ;;
    --sql-file | --alert-rules | --alert-log | --prometheus-file)
      compopt -o filenames 2> /dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return ;;
    --on-alert)
      mapfile -t COMPREPLY < <(compgen -c -- "$cur")
      return ;;
  esac
  local sub="" word
  for word in "${words[@]:1:cword-1}"; do
    case $word in run | watch | merge | schema) sub=$word ;; esac
  done
  local help
  help=$("$program" --help 2>&1; [ -n "$sub" ] && "$program" "$sub" --help 2>&1)
  # An option that takes a value (its help line shows TEXT): the value is the user's to type.
  if [[ $prev == --* ]] && grep -qE -- "(^| |,)${prev} TEXT" <<< "$help"; then
    COMPREPLY=()
    return
  fi
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(grep -oE -- '--[a-z][a-z-]*' <<< "$help" | sort -u)" -- "$cur")
    return
  fi
  case $sub in
    "") mapfile -t COMPREPLY < <(compgen -W "run watch merge schema" -- "$cur") ;;
    run)
      compopt -o filenames 2> /dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    watch)
      compopt -o filenames 2> /dev/null
      mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
  esac
}
complete -F _logstream logstream
