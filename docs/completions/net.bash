# bash completion for net                                  -*- shell-script -*-

__net_debug()
{
    if [[ -n ${BASH_COMP_DEBUG_FILE:-} ]]; then
        echo "$*" >> "${BASH_COMP_DEBUG_FILE}"
    fi
}

# Homebrew on Macs have version 1.3 of bash-completion which doesn't include
# _init_completion. This is a very minimal version of that function.
__net_init_completion()
{
    COMPREPLY=()
    _get_comp_words_by_ref "$@" cur prev words cword
}

__net_index_of_word()
{
    local w word=$1
    shift
    index=0
    for w in "$@"; do
        [[ $w = "$word" ]] && return
        index=$((index+1))
    done
    index=-1
}

__net_contains_word()
{
    local w word=$1; shift
    for w in "$@"; do
        [[ $w = "$word" ]] && return
    done
    return 1
}

__net_handle_go_custom_completion()
{
    __net_debug "${FUNCNAME[0]}: cur is ${cur}, words[*] is ${words[*]}, #words[@] is ${#words[@]}"

    local shellCompDirectiveError=1
    local shellCompDirectiveNoSpace=2
    local shellCompDirectiveNoFileComp=4
    local shellCompDirectiveFilterFileExt=8
    local shellCompDirectiveFilterDirs=16

    local out requestComp lastParam lastChar comp directive args

    # Prepare the command to request completions for the program.
    # Calling ${words[0]} instead of directly net allows handling aliases
    args=("${words[@]:1}")
    # Disable ActiveHelp which is not supported for bash completion v1
    requestComp="NET_ACTIVE_HELP=0 ${words[0]} __completeNoDesc ${args[*]}"

    lastParam=${words[$((${#words[@]}-1))]}
    lastChar=${lastParam:$((${#lastParam}-1)):1}
    __net_debug "${FUNCNAME[0]}: lastParam ${lastParam}, lastChar ${lastChar}"

    if [ -z "${cur}" ] && [ "${lastChar}" != "=" ]; then
        # If the last parameter is complete (there is a space following it)
        # We add an extra empty parameter so we can indicate this to the go method.
        __net_debug "${FUNCNAME[0]}: Adding extra empty parameter"
        requestComp="${requestComp} \"\""
    fi

    __net_debug "${FUNCNAME[0]}: calling ${requestComp}"
    # Use eval to handle any environment variables and such
    out=$(eval "${requestComp}" 2>/dev/null)

    # Extract the directive integer at the very end of the output following a colon (:)
    directive=${out##*:}
    # Remove the directive
    out=${out%:*}
    if [ "${directive}" = "${out}" ]; then
        # There is not directive specified
        directive=0
    fi
    __net_debug "${FUNCNAME[0]}: the completion directive is: ${directive}"
    __net_debug "${FUNCNAME[0]}: the completions are: ${out}"

    if [ $((directive & shellCompDirectiveError)) -ne 0 ]; then
        # Error code.  No completion.
        __net_debug "${FUNCNAME[0]}: received error from custom completion go code"
        return
    else
        if [ $((directive & shellCompDirectiveNoSpace)) -ne 0 ]; then
            if [[ $(type -t compopt) = "builtin" ]]; then
                __net_debug "${FUNCNAME[0]}: activating no space"
                compopt -o nospace
            fi
        fi
        if [ $((directive & shellCompDirectiveNoFileComp)) -ne 0 ]; then
            if [[ $(type -t compopt) = "builtin" ]]; then
                __net_debug "${FUNCNAME[0]}: activating no file completion"
                compopt +o default
            fi
        fi
    fi

    if [ $((directive & shellCompDirectiveFilterFileExt)) -ne 0 ]; then
        # File extension filtering
        local fullFilter filter filteringCmd
        # Do not use quotes around the $out variable or else newline
        # characters will be kept.
        for filter in ${out}; do
            fullFilter+="$filter|"
        done

        filteringCmd="_filedir $fullFilter"
        __net_debug "File filtering command: $filteringCmd"
        $filteringCmd
    elif [ $((directive & shellCompDirectiveFilterDirs)) -ne 0 ]; then
        # File completion for directories only
        local subdir
        # Use printf to strip any trailing newline
        subdir=$(printf "%s" "${out}")
        if [ -n "$subdir" ]; then
            __net_debug "Listing directories in $subdir"
            __net_handle_subdirs_in_dir_flag "$subdir"
        else
            __net_debug "Listing directories in ."
            _filedir -d
        fi
    else
        while IFS='' read -r comp; do
            COMPREPLY+=("$comp")
        done < <(compgen -W "${out}" -- "$cur")
    fi
}

__net_handle_reply()
{
    __net_debug "${FUNCNAME[0]}"
    local comp
    case $cur in
        -*)
            if [[ $(type -t compopt) = "builtin" ]]; then
                compopt -o nospace
            fi
            local allflags
            if [ ${#must_have_one_flag[@]} -ne 0 ]; then
                allflags=("${must_have_one_flag[@]}")
            else
                allflags=("${flags[*]} ${two_word_flags[*]}")
            fi
            while IFS='' read -r comp; do
                COMPREPLY+=("$comp")
            done < <(compgen -W "${allflags[*]}" -- "$cur")
            if [[ $(type -t compopt) = "builtin" ]]; then
                [[ "${COMPREPLY[0]}" == *= ]] || compopt +o nospace
            fi

            # complete after --flag=abc
            if [[ $cur == *=* ]]; then
                if [[ $(type -t compopt) = "builtin" ]]; then
                    compopt +o nospace
                fi

                local index flag
                flag="${cur%=*}"
                __net_index_of_word "${flag}" "${flags_with_completion[@]}"
                COMPREPLY=()
                if [[ ${index} -ge 0 ]]; then
                    PREFIX=""
                    cur="${cur#*=}"
                    ${flags_completion[${index}]}
                    if [ -n "${ZSH_VERSION:-}" ]; then
                        # zsh completion needs --flag= prefix
                        eval "COMPREPLY=( \"\${COMPREPLY[@]/#/${flag}=}\" )"
                    fi
                fi
            fi

            if [[ -z "${flag_parsing_disabled}" ]]; then
                # If flag parsing is enabled, we have completed the flags and can return.
                # If flag parsing is disabled, we may not know all (or any) of the flags, so we fallthrough
                # to possibly call handle_go_custom_completion.
                return 0;
            fi
            ;;
    esac

    # check if we are handling a flag with special work handling
    local index
    __net_index_of_word "${prev}" "${flags_with_completion[@]}"
    if [[ ${index} -ge 0 ]]; then
        ${flags_completion[${index}]}
        return
    fi

    # we are parsing a flag and don't have a special handler, no completion
    if [[ ${cur} != "${words[cword]}" ]]; then
        return
    fi

    local completions
    completions=("${commands[@]}")
    if [[ ${#must_have_one_noun[@]} -ne 0 ]]; then
        completions+=("${must_have_one_noun[@]}")
    elif [[ -n "${has_completion_function}" ]]; then
        # if a go completion function is provided, defer to that function
        __net_handle_go_custom_completion
    fi
    if [[ ${#must_have_one_flag[@]} -ne 0 ]]; then
        completions+=("${must_have_one_flag[@]}")
    fi
    while IFS='' read -r comp; do
        COMPREPLY+=("$comp")
    done < <(compgen -W "${completions[*]}" -- "$cur")

    if [[ ${#COMPREPLY[@]} -eq 0 && ${#noun_aliases[@]} -gt 0 && ${#must_have_one_noun[@]} -ne 0 ]]; then
        while IFS='' read -r comp; do
            COMPREPLY+=("$comp")
        done < <(compgen -W "${noun_aliases[*]}" -- "$cur")
    fi

    if [[ ${#COMPREPLY[@]} -eq 0 ]]; then
        if declare -F __net_custom_func >/dev/null; then
            # try command name qualified custom func
            __net_custom_func
        else
            # otherwise fall back to unqualified for compatibility
            declare -F __custom_func >/dev/null && __custom_func
        fi
    fi

    # available in bash-completion >= 2, not always present on macOS
    if declare -F __ltrim_colon_completions >/dev/null; then
        __ltrim_colon_completions "$cur"
    fi

    # If there is only 1 completion and it is a flag with an = it will be completed
    # but we don't want a space after the =
    if [[ "${#COMPREPLY[@]}" -eq "1" ]] && [[ $(type -t compopt) = "builtin" ]] && [[ "${COMPREPLY[0]}" == --*= ]]; then
       compopt -o nospace
    fi
}

# The arguments should be in the form "ext1|ext2|extn"
__net_handle_filename_extension_flag()
{
    local ext="$1"
    _filedir "@(${ext})"
}

__net_handle_subdirs_in_dir_flag()
{
    local dir="$1"
    pushd "${dir}" >/dev/null 2>&1 && _filedir -d && popd >/dev/null 2>&1 || return
}

__net_handle_flag()
{
    __net_debug "${FUNCNAME[0]}: c is $c words[c] is ${words[c]}"

    # if a command required a flag, and we found it, unset must_have_one_flag()
    local flagname=${words[c]}
    local flagvalue=""
    # if the word contained an =
    if [[ ${words[c]} == *"="* ]]; then
        flagvalue=${flagname#*=} # take in as flagvalue after the =
        flagname=${flagname%=*} # strip everything after the =
        flagname="${flagname}=" # but put the = back
    fi
    __net_debug "${FUNCNAME[0]}: looking for ${flagname}"
    if __net_contains_word "${flagname}" "${must_have_one_flag[@]}"; then
        must_have_one_flag=()
    fi

    # if you set a flag which only applies to this command, don't show subcommands
    if __net_contains_word "${flagname}" "${local_nonpersistent_flags[@]}"; then
      commands=()
    fi

    # keep flag value with flagname as flaghash
    # flaghash variable is an associative array which is only supported in bash > 3.
    if [[ -z "${BASH_VERSION:-}" || "${BASH_VERSINFO[0]:-}" -gt 3 ]]; then
        if [ -n "${flagvalue}" ] ; then
            flaghash[${flagname}]=${flagvalue}
        elif [ -n "${words[ $((c+1)) ]}" ] ; then
            flaghash[${flagname}]=${words[ $((c+1)) ]}
        else
            flaghash[${flagname}]="true" # pad "true" for bool flag
        fi
    fi

    # skip the argument to a two word flag
    if [[ ${words[c]} != *"="* ]] && __net_contains_word "${words[c]}" "${two_word_flags[@]}"; then
        __net_debug "${FUNCNAME[0]}: found a flag ${words[c]}, skip the next argument"
        c=$((c+1))
        # if we are looking for a flags value, don't show commands
        if [[ $c -eq $cword ]]; then
            commands=()
        fi
    fi

    c=$((c+1))

}

__net_handle_noun()
{
    __net_debug "${FUNCNAME[0]}: c is $c words[c] is ${words[c]}"

    if __net_contains_word "${words[c]}" "${must_have_one_noun[@]}"; then
        must_have_one_noun=()
    elif __net_contains_word "${words[c]}" "${noun_aliases[@]}"; then
        must_have_one_noun=()
    fi

    nouns+=("${words[c]}")
    c=$((c+1))
}

__net_handle_command()
{
    __net_debug "${FUNCNAME[0]}: c is $c words[c] is ${words[c]}"

    local next_command
    if [[ -n ${last_command} ]]; then
        next_command="_${last_command}_${words[c]//:/__}"
    else
        if [[ $c -eq 0 ]]; then
            next_command="_net_root_command"
        else
            next_command="_${words[c]//:/__}"
        fi
    fi
    c=$((c+1))
    __net_debug "${FUNCNAME[0]}: looking for ${next_command}"
    declare -F "$next_command" >/dev/null && $next_command
}

__net_handle_word()
{
    if [[ $c -ge $cword ]]; then
        __net_handle_reply
        return
    fi
    __net_debug "${FUNCNAME[0]}: c is $c words[c] is ${words[c]}"
    if [[ "${words[c]}" == -* ]]; then
        __net_handle_flag
    elif __net_contains_word "${words[c]}" "${commands[@]}"; then
        __net_handle_command
    elif [[ $c -eq 0 ]]; then
        __net_handle_command
    elif __net_contains_word "${words[c]}" "${command_aliases[@]}"; then
        # aliashash variable is an associative array which is only supported in bash > 3.
        if [[ -z "${BASH_VERSION:-}" || "${BASH_VERSINFO[0]:-}" -gt 3 ]]; then
            words[c]=${aliashash[${words[c]}]}
            __net_handle_command
        else
            __net_handle_noun
        fi
    else
        __net_handle_noun
    fi
    __net_handle_word
}

_net_agent()
{
    last_command="net_agent"

    command_aliases=()

    commands=()

    flags=()
    two_word_flags=()
    local_nonpersistent_flags=()
    flags_with_completion=()
    flags_completion=()

    flags+=("--batch-size=")
    two_word_flags+=("--batch-size")
    local_nonpersistent_flags+=("--batch-size")
    local_nonpersistent_flags+=("--batch-size=")
    flags+=("--bpf=")
    two_word_flags+=("--bpf")
    local_nonpersistent_flags+=("--bpf")
    local_nonpersistent_flags+=("--bpf=")
    flags+=("--buffer=")
    two_word_flags+=("--buffer")
    local_nonpersistent_flags+=("--buffer")
    local_nonpersistent_flags+=("--buffer=")
    flags+=("--collector=")
    two_word_flags+=("--collector")
    local_nonpersistent_flags+=("--collector")
    local_nonpersistent_flags+=("--collector=")
    flags+=("--community-id-seed=")
    two_word_flags+=("--community-id-seed")
    local_nonpersistent_flags+=("--community-id-seed")
    local_nonpersistent_flags+=("--community-id-seed=")
    flags+=("--compress")
    local_nonpersistent_flags+=("--compress")
    flags+=("--compression=")
    two_word_flags+=("--compression")
    local_nonpersistent_flags+=("--compression")
    local_nonpersistent_flags+=("--compression=")
    flags+=("--conn-timeout=")
    two_word_flags+=("--conn-timeout")
    local_nonpersistent_flags+=("--conn-timeout")
    local_nonpersistent_flags+=("--conn-timeout=")
    flags+=("--conns")
    local_nonpersistent_flags+=("--conns")
    flags+=("--count=")
    two_word_flags+=("--count")
    local_nonpersistent_flags+=("--count")
    local_nonpersistent_flags+=("--count=")
    flags+=("--cpuprofile=")
    two_word_flags+=("--cpuprofile")
    local_nonpersistent_flags+=("--cpuprofile")
    local_nonpersistent_flags+=("--cpuprofile=")
    flags+=("--decoders")
    local_nonpersistent_flags+=("--decoders")
    flags+=("--drain-timeout=")
    two_word_flags+=("--drain-timeout")
    local_nonpersistent_flags+=("--drain-timeout")
    local_nonpersistent_flags+=("--drain-timeout=")
    flags+=("--duration=")
    two_word_flags+=("--duration")
    local_nonpersistent_flags+=("--duration")
    local_nonpersistent_flags+=("--duration=")
    flags+=("--entropy")
    local_nonpersistent_flags+=("--entropy")
    flags+=("--exclude=")
    two_word_flags+=("--exclude")
    local_nonpersistent_flags+=("--exclude")
    local_nonpersistent_flags+=("--exclude=")
    flags+=("--exploitdb=")
    two_word_flags+=("--exploitdb")
    local_nonpersistent_flags+=("--exploitdb")
    local_nonpersistent_flags+=("--exploitdb=")
    flags+=("--fileStorage=")
    two_word_flags+=("--fileStorage")
    local_nonpersistent_flags+=("--fileStorage")
    local_nonpersistent_flags+=("--fileStorage=")
    flags+=("--flow-timeout=")
    two_word_flags+=("--flow-timeout")
    local_nonpersistent_flags+=("--flow-timeout")
    local_nonpersistent_flags+=("--flow-timeout=")
    flags+=("--flush-interval=")
    two_word_flags+=("--flush-interval")
    local_nonpersistent_flags+=("--flush-interval")
    local_nonpersistent_flags+=("--flush-interval=")
    flags+=("--force")
    local_nonpersistent_flags+=("--force")
    flags+=("--geodb=")
    two_word_flags+=("--geodb")
    local_nonpersistent_flags+=("--geodb")
    local_nonpersistent_flags+=("--geodb=")
    flags+=("--help")
    flags+=("-h")
    local_nonpersistent_flags+=("--help")
    local_nonpersistent_flags+=("-h")
    flags+=("--id=")
    two_word_flags+=("--id")
    local_nonpersistent_flags+=("--id")
    local_nonpersistent_flags+=("--id=")
    flags+=("--iface=")
    two_word_flags+=("--iface")
    two_word_flags+=("-i")
    local_nonpersistent_flags+=("--iface")
    local_nonpersistent_flags+=("--iface=")
    local_nonpersistent_flags+=("-i")
    flags+=("--include=")
    two_word_flags+=("--include")
    local_nonpersistent_flags+=("--include")
    local_nonpersistent_flags+=("--include=")
    flags+=("--interfaces")
    local_nonpersistent_flags+=("--interfaces")
    flags+=("--max-body-bytes=")
    two_word_flags+=("--max-body-bytes")
    local_nonpersistent_flags+=("--max-body-bytes")
    local_nonpersistent_flags+=("--max-body-bytes=")
    flags+=("--max-flows=")
    two_word_flags+=("--max-flows")
    local_nonpersistent_flags+=("--max-flows")
    local_nonpersistent_flags+=("--max-flows=")
    flags+=("--max-memory=")
    two_word_flags+=("--max-memory")
    local_nonpersistent_flags+=("--max-memory")
    local_nonpersistent_flags+=("--max-memory=")
    flags+=("--max-profiles=")
    two_word_flags+=("--max-profiles")
    local_nonpersistent_flags+=("--max-profiles")
    local_nonpersistent_flags+=("--max-profiles=")
    flags+=("--memprofile=")
    two_word_flags+=("--memprofile")
    local_nonpersistent_flags+=("--memprofile")
    local_nonpersistent_flags+=("--memprofile=")
    flags+=("--metrics=")
    two_word_flags+=("--metrics")
    local_nonpersistent_flags+=("--metrics")
    local_nonpersistent_flags+=("--metrics=")
    flags+=("--nkey=")
    two_word_flags+=("--nkey")
    local_nonpersistent_flags+=("--nkey")
    local_nonpersistent_flags+=("--nkey=")
    flags+=("--noprompt")
    local_nonpersistent_flags+=("--noprompt")
    flags+=("--nvd=")
    two_word_flags+=("--nvd")
    local_nonpersistent_flags+=("--nvd")
    local_nonpersistent_flags+=("--nvd=")
    flags+=("--parquet")
    local_nonpersistent_flags+=("--parquet")
    flags+=("--password=")
    two_word_flags+=("--password")
    local_nonpersistent_flags+=("--password")
    local_nonpersistent_flags+=("--password=")
    flags+=("--payload")
    local_nonpersistent_flags+=("--payload")
    flags+=("--promisc")
    local_nonpersistent_flags+=("--promisc")
    flags+=("--quiet")
    flags+=("-q")
    local_nonpersistent_flags+=("--quiet")
    local_nonpersistent_flags+=("-q")
    flags+=("--read=")
    two_word_flags+=("--read")
    two_word_flags+=("-r")
    local_nonpersistent_flags+=("--read")
    local_nonpersistent_flags+=("--read=")
    local_nonpersistent_flags+=("-r")
    flags+=("--reassemble-connections")
    local_nonpersistent_flags+=("--reassemble-connections")
    flags+=("--reassembly-max-bytes=")
    two_word_flags+=("--reassembly-max-bytes")
    local_nonpersistent_flags+=("--reassembly-max-bytes")
    local_nonpersistent_flags+=("--reassembly-max-bytes=")
    flags+=("--reassembly-max-conns=")
    two_word_flags+=("--reassembly-max-conns")
    local_nonpersistent_flags+=("--reassembly-max-conns")
    local_nonpersistent_flags+=("--reassembly-max-conns=")
    flags+=("--reassembly-max-stream-bytes=")
    two_word_flags+=("--reassembly-max-stream-bytes")
    local_nonpersistent_flags+=("--reassembly-max-stream-bytes")
    local_nonpersistent_flags+=("--reassembly-max-stream-bytes=")
    flags+=("--reverse-dns")
    local_nonpersistent_flags+=("--reverse-dns")
    flags+=("--rotate=")
    two_word_flags+=("--rotate")
    local_nonpersistent_flags+=("--rotate")
    local_nonpersistent_flags+=("--rotate=")
    flags+=("--rotate-size=")
    two_word_flags+=("--rotate-size")
    local_nonpersistent_flags+=("--rotate-size")
    local_nonpersistent_flags+=("--rotate-size=")
    flags+=("--snaplen=")
    two_word_flags+=("--snaplen")
    local_nonpersistent_flags+=("--snaplen")
    local_nonpersistent_flags+=("--snaplen=")
    flags+=("--spool=")
    two_word_flags+=("--spool")
    local_nonpersistent_flags+=("--spool")
    local_nonpersistent_flags+=("--spool=")
    flags+=("--spool-max=")
    two_word_flags+=("--spool-max")
    local_nonpersistent_flags+=("--spool-max")
    local_nonpersistent_flags+=("--spool-max=")
    flags+=("--stats-interval=")
    two_word_flags+=("--stats-interval")
    local_nonpersistent_flags+=("--stats-interval")
    local_nonpersistent_flags+=("--stats-interval=")
    flags+=("--tcp-timeout=")
    two_word_flags+=("--tcp-timeout")
    local_nonpersistent_flags+=("--tcp-timeout")
    local_nonpersistent_flags+=("--tcp-timeout=")
    flags+=("--tls-ca=")
    two_word_flags+=("--tls-ca")
    local_nonpersistent_flags+=("--tls-ca")
    local_nonpersistent_flags+=("--tls-ca=")
    flags+=("--tls-cert=")
    two_word_flags+=("--tls-cert")
    local_nonpersistent_flags+=("--tls-cert")
    local_nonpersistent_flags+=("--tls-cert=")
    flags+=("--tls-key=")
    two_word_flags+=("--tls-key")
    local_nonpersistent_flags+=("--tls-key")
    local_nonpersistent_flags+=("--tls-key=")
    flags+=("--udp-timeout=")
    two_word_flags+=("--udp-timeout")
    local_nonpersistent_flags+=("--udp-timeout")
    local_nonpersistent_flags+=("--udp-timeout=")
    flags+=("--user=")
    two_word_flags+=("--user")
    local_nonpersistent_flags+=("--user")
    local_nonpersistent_flags+=("--user=")
    flags+=("--workers=")
    two_word_flags+=("--workers")
    local_nonpersistent_flags+=("--workers")
    local_nonpersistent_flags+=("--workers=")
    flags+=("--config=")
    two_word_flags+=("--config")
    flags+=("--debug")
    flags+=("--gen-config")

    must_have_one_flag=()
    must_have_one_noun=()
    noun_aliases=()
}

_net_capture()
{
    last_command="net_capture"

    command_aliases=()

    commands=()

    flags=()
    two_word_flags=()
    local_nonpersistent_flags=()
    flags_with_completion=()
    flags_completion=()

    flags+=("--bpf=")
    two_word_flags+=("--bpf")
    local_nonpersistent_flags+=("--bpf")
    local_nonpersistent_flags+=("--bpf=")
    flags+=("--community-id-seed=")
    two_word_flags+=("--community-id-seed")
    local_nonpersistent_flags+=("--community-id-seed")
    local_nonpersistent_flags+=("--community-id-seed=")
    flags+=("--compress")
    local_nonpersistent_flags+=("--compress")
    flags+=("--compression=")
    two_word_flags+=("--compression")
    local_nonpersistent_flags+=("--compression")
    local_nonpersistent_flags+=("--compression=")
    flags+=("--conn-timeout=")
    two_word_flags+=("--conn-timeout")
    local_nonpersistent_flags+=("--conn-timeout")
    local_nonpersistent_flags+=("--conn-timeout=")
    flags+=("--conns")
    local_nonpersistent_flags+=("--conns")
    flags+=("--count=")
    two_word_flags+=("--count")
    local_nonpersistent_flags+=("--count")
    local_nonpersistent_flags+=("--count=")
    flags+=("--cpuprofile=")
    two_word_flags+=("--cpuprofile")
    local_nonpersistent_flags+=("--cpuprofile")
    local_nonpersistent_flags+=("--cpuprofile=")
    flags+=("--decoders")
    local_nonpersistent_flags+=("--decoders")
    flags+=("--duration=")
    two_word_flags+=("--duration")
    local_nonpersistent_flags+=("--duration")
    local_nonpersistent_flags+=("--duration=")
    flags+=("--entropy")
    local_nonpersistent_flags+=("--entropy")
    flags+=("--exclude=")
    two_word_flags+=("--exclude")
    local_nonpersistent_flags+=("--exclude")
    local_nonpersistent_flags+=("--exclude=")
    flags+=("--exploitdb=")
    two_word_flags+=("--exploitdb")
    local_nonpersistent_flags+=("--exploitdb")
    local_nonpersistent_flags+=("--exploitdb=")
    flags+=("--fileStorage=")
    two_word_flags+=("--fileStorage")
    local_nonpersistent_flags+=("--fileStorage")
    local_nonpersistent_flags+=("--fileStorage=")
    flags+=("--flow-timeout=")
    two_word_flags+=("--flow-timeout")
    local_nonpersistent_flags+=("--flow-timeout")
    local_nonpersistent_flags+=("--flow-timeout=")
    flags+=("--flush-interval=")
    two_word_flags+=("--flush-interval")
    local_nonpersistent_flags+=("--flush-interval")
    local_nonpersistent_flags+=("--flush-interval=")
    flags+=("--force")
    local_nonpersistent_flags+=("--force")
    flags+=("--geodb=")
    two_word_flags+=("--geodb")
    local_nonpersistent_flags+=("--geodb")
    local_nonpersistent_flags+=("--geodb=")
    flags+=("--help")
    flags+=("-h")
    local_nonpersistent_flags+=("--help")
    local_nonpersistent_flags+=("-h")
    flags+=("--iface=")
    two_word_flags+=("--iface")
    two_word_flags+=("-i")
    local_nonpersistent_flags+=("--iface")
    local_nonpersistent_flags+=("--iface=")
    local_nonpersistent_flags+=("-i")
    flags+=("--include=")
    two_word_flags+=("--include")
    local_nonpersistent_flags+=("--include")
    local_nonpersistent_flags+=("--include=")
    flags+=("--interfaces")
    local_nonpersistent_flags+=("--interfaces")
    flags+=("--max-body-bytes=")
    two_word_flags+=("--max-body-bytes")
    local_nonpersistent_flags+=("--max-body-bytes")
    local_nonpersistent_flags+=("--max-body-bytes=")
    flags+=("--max-flows=")
    two_word_flags+=("--max-flows")
    local_nonpersistent_flags+=("--max-flows")
    local_nonpersistent_flags+=("--max-flows=")
    flags+=("--max-memory=")
    two_word_flags+=("--max-memory")
    local_nonpersistent_flags+=("--max-memory")
    local_nonpersistent_flags+=("--max-memory=")
    flags+=("--max-profiles=")
    two_word_flags+=("--max-profiles")
    local_nonpersistent_flags+=("--max-profiles")
    local_nonpersistent_flags+=("--max-profiles=")
    flags+=("--memprofile=")
    two_word_flags+=("--memprofile")
    local_nonpersistent_flags+=("--memprofile")
    local_nonpersistent_flags+=("--memprofile=")
    flags+=("--metrics=")
    two_word_flags+=("--metrics")
    local_nonpersistent_flags+=("--metrics")
    local_nonpersistent_flags+=("--metrics=")
    flags+=("--noprompt")
    local_nonpersistent_flags+=("--noprompt")
    flags+=("--nvd=")
    two_word_flags+=("--nvd")
    local_nonpersistent_flags+=("--nvd")
    local_nonpersistent_flags+=("--nvd=")
    flags+=("--out=")
    two_word_flags+=("--out")
    two_word_flags+=("-o")
    local_nonpersistent_flags+=("--out")
    local_nonpersistent_flags+=("--out=")
    local_nonpersistent_flags+=("-o")
    flags+=("--parquet")
    local_nonpersistent_flags+=("--parquet")
    flags+=("--payload")
    local_nonpersistent_flags+=("--payload")
    flags+=("--promisc")
    local_nonpersistent_flags+=("--promisc")
    flags+=("--quiet")
    flags+=("-q")
    local_nonpersistent_flags+=("--quiet")
    local_nonpersistent_flags+=("-q")
    flags+=("--read=")
    two_word_flags+=("--read")
    two_word_flags+=("-r")
    local_nonpersistent_flags+=("--read")
    local_nonpersistent_flags+=("--read=")
    local_nonpersistent_flags+=("-r")
    flags+=("--reassemble-connections")
    local_nonpersistent_flags+=("--reassemble-connections")
    flags+=("--reassembly-max-bytes=")
    two_word_flags+=("--reassembly-max-bytes")
    local_nonpersistent_flags+=("--reassembly-max-bytes")
    local_nonpersistent_flags+=("--reassembly-max-bytes=")
    flags+=("--reassembly-max-conns=")
    two_word_flags+=("--reassembly-max-conns")
    local_nonpersistent_flags+=("--reassembly-max-conns")
    local_nonpersistent_flags+=("--reassembly-max-conns=")
    flags+=("--reassembly-max-stream-bytes=")
    two_word_flags+=("--reassembly-max-stream-bytes")
    local_nonpersistent_flags+=("--reassembly-max-stream-bytes")
    local_nonpersistent_flags+=("--reassembly-max-stream-bytes=")
    flags+=("--reverse-dns")
    local_nonpersistent_flags+=("--reverse-dns")
    flags+=("--rotate=")
    two_word_flags+=("--rotate")
    local_nonpersistent_flags+=("--rotate")
    local_nonpersistent_flags+=("--rotate=")
    flags+=("--rotate-size=")
    two_word_flags+=("--rotate-size")
    local_nonpersistent_flags+=("--rotate-size")
    local_nonpersistent_flags+=("--rotate-size=")
    flags+=("--snaplen=")
    two_word_flags+=("--snaplen")
    local_nonpersistent_flags+=("--snaplen")
    local_nonpersistent_flags+=("--snaplen=")
    flags+=("--stats-interval=")
    two_word_flags+=("--stats-interval")
    local_nonpersistent_flags+=("--stats-interval")
    local_nonpersistent_flags+=("--stats-interval=")
    flags+=("--tcp-timeout=")
    two_word_flags+=("--tcp-timeout")
    local_nonpersistent_flags+=("--tcp-timeout")
    local_nonpersistent_flags+=("--tcp-timeout=")
    flags+=("--udp-timeout=")
    two_word_flags+=("--udp-timeout")
    local_nonpersistent_flags+=("--udp-timeout")
    local_nonpersistent_flags+=("--udp-timeout=")
    flags+=("--workers=")
    two_word_flags+=("--workers")
    local_nonpersistent_flags+=("--workers")
    local_nonpersistent_flags+=("--workers=")
    flags+=("--config=")
    two_word_flags+=("--config")
    flags+=("--debug")
    flags+=("--gen-config")

    must_have_one_flag=()
    must_have_one_noun=()
    noun_aliases=()
}

_net_collect()
{
    last_command="net_collect"

    command_aliases=()

    commands=()

    flags=()
    two_word_flags=()
    local_nonpersistent_flags=()
    flags_with_completion=()
    flags_completion=()

    flags+=("--addr=")
    two_word_flags+=("--addr")
    local_nonpersistent_flags+=("--addr")
    local_nonpersistent_flags+=("--addr=")
    flags+=("--commit-batches=")
    two_word_flags+=("--commit-batches")
    local_nonpersistent_flags+=("--commit-batches")
    local_nonpersistent_flags+=("--commit-batches=")
    flags+=("--commit-interval=")
    two_word_flags+=("--commit-interval")
    local_nonpersistent_flags+=("--commit-interval")
    local_nonpersistent_flags+=("--commit-interval=")
    flags+=("--compress")
    local_nonpersistent_flags+=("--compress")
    flags+=("--compression=")
    two_word_flags+=("--compression")
    local_nonpersistent_flags+=("--compression")
    local_nonpersistent_flags+=("--compression=")
    flags+=("--gen-keys=")
    two_word_flags+=("--gen-keys")
    local_nonpersistent_flags+=("--gen-keys")
    local_nonpersistent_flags+=("--gen-keys=")
    flags+=("--help")
    flags+=("-h")
    local_nonpersistent_flags+=("--help")
    local_nonpersistent_flags+=("-h")
    flags+=("--hosts=")
    two_word_flags+=("--hosts")
    local_nonpersistent_flags+=("--hosts")
    local_nonpersistent_flags+=("--hosts=")
    flags+=("--max-store=")
    two_word_flags+=("--max-store")
    local_nonpersistent_flags+=("--max-store")
    local_nonpersistent_flags+=("--max-store=")
    flags+=("--merge")
    local_nonpersistent_flags+=("--merge")
    flags+=("--metrics=")
    two_word_flags+=("--metrics")
    local_nonpersistent_flags+=("--metrics")
    local_nonpersistent_flags+=("--metrics=")
    flags+=("--nats=")
    two_word_flags+=("--nats")
    local_nonpersistent_flags+=("--nats")
    local_nonpersistent_flags+=("--nats=")
    flags+=("--nkey=")
    two_word_flags+=("--nkey")
    local_nonpersistent_flags+=("--nkey")
    local_nonpersistent_flags+=("--nkey=")
    flags+=("--nkeys=")
    two_word_flags+=("--nkeys")
    local_nonpersistent_flags+=("--nkeys")
    local_nonpersistent_flags+=("--nkeys=")
    flags+=("--out=")
    two_word_flags+=("--out")
    two_word_flags+=("-o")
    local_nonpersistent_flags+=("--out")
    local_nonpersistent_flags+=("--out=")
    local_nonpersistent_flags+=("-o")
    flags+=("--password=")
    two_word_flags+=("--password")
    local_nonpersistent_flags+=("--password")
    local_nonpersistent_flags+=("--password=")
    flags+=("--quiet")
    flags+=("-q")
    local_nonpersistent_flags+=("--quiet")
    local_nonpersistent_flags+=("-q")
    flags+=("--store=")
    two_word_flags+=("--store")
    local_nonpersistent_flags+=("--store")
    local_nonpersistent_flags+=("--store=")
    flags+=("--tls-ca=")
    two_word_flags+=("--tls-ca")
    local_nonpersistent_flags+=("--tls-ca")
    local_nonpersistent_flags+=("--tls-ca=")
    flags+=("--tls-cert=")
    two_word_flags+=("--tls-cert")
    local_nonpersistent_flags+=("--tls-cert")
    local_nonpersistent_flags+=("--tls-cert=")
    flags+=("--tls-key=")
    two_word_flags+=("--tls-key")
    local_nonpersistent_flags+=("--tls-key")
    local_nonpersistent_flags+=("--tls-key=")
    flags+=("--user=")
    two_word_flags+=("--user")
    local_nonpersistent_flags+=("--user")
    local_nonpersistent_flags+=("--user=")
    flags+=("--users=")
    two_word_flags+=("--users")
    local_nonpersistent_flags+=("--users")
    local_nonpersistent_flags+=("--users=")
    flags+=("--config=")
    two_word_flags+=("--config")
    flags+=("--debug")
    flags+=("--gen-config")

    must_have_one_flag=()
    must_have_one_noun=()
    noun_aliases=()
}

_net_completion_bash()
{
    last_command="net_completion_bash"

    command_aliases=()

    commands=()

    flags=()
    two_word_flags=()
    local_nonpersistent_flags=()
    flags_with_completion=()
    flags_completion=()

    flags+=("--help")
    flags+=("-h")
    local_nonpersistent_flags+=("--help")
    local_nonpersistent_flags+=("-h")
    flags+=("--no-descriptions")
    local_nonpersistent_flags+=("--no-descriptions")
    flags+=("--config=")
    two_word_flags+=("--config")
    flags+=("--debug")
    flags+=("--gen-config")

    must_have_one_flag=()
    must_have_one_noun=()
    has_completion_function=1
    noun_aliases=()
}

_net_completion_fish()
{
    last_command="net_completion_fish"

    command_aliases=()

    commands=()

    flags=()
    two_word_flags=()
    local_nonpersistent_flags=()
    flags_with_completion=()
    flags_completion=()

    flags+=("--help")
    flags+=("-h")
    local_nonpersistent_flags+=("--help")
    local_nonpersistent_flags+=("-h")
    flags+=("--no-descriptions")
    local_nonpersistent_flags+=("--no-descriptions")
    flags+=("--config=")
    two_word_flags+=("--config")
    flags+=("--debug")
    flags+=("--gen-config")

    must_have_one_flag=()
    must_have_one_noun=()
    has_completion_function=1
    noun_aliases=()
}

_net_completion_help()
{
    last_command="net_completion_help"

    command_aliases=()

    commands=()

    flags=()
    two_word_flags=()
    local_nonpersistent_flags=()
    flags_with_completion=()
    flags_completion=()

    flags+=("--config=")
    two_word_flags+=("--config")
    flags+=("--debug")
    flags+=("--gen-config")

    must_have_one_flag=()
    must_have_one_noun=()
    has_completion_function=1
    noun_aliases=()
}

_net_completion_powershell()
{
    last_command="net_completion_powershell"

    command_aliases=()

    commands=()

    flags=()
    two_word_flags=()
    local_nonpersistent_flags=()
    flags_with_completion=()
    flags_completion=()

    flags+=("--help")
    flags+=("-h")
    local_nonpersistent_flags+=("--help")
    local_nonpersistent_flags+=("-h")
    flags+=("--no-descriptions")
    local_nonpersistent_flags+=("--no-descriptions")
    flags+=("--config=")
    two_word_flags+=("--config")
    flags+=("--debug")
    flags+=("--gen-config")

    must_have_one_flag=()
    must_have_one_noun=()
    has_completion_function=1
    noun_aliases=()
}

_net_completion_zsh()
{
    last_command="net_completion_zsh"

    command_aliases=()

    commands=()

    flags=()
    two_word_flags=()
    local_nonpersistent_flags=()
    flags_with_completion=()
    flags_completion=()

    flags+=("--help")
    flags+=("-h")
    local_nonpersistent_flags+=("--help")
    local_nonpersistent_flags+=("-h")
    flags+=("--no-descriptions")
    local_nonpersistent_flags+=("--no-descriptions")
    flags+=("--config=")
    two_word_flags+=("--config")
    flags+=("--debug")
    flags+=("--gen-config")

    must_have_one_flag=()
    must_have_one_noun=()
    has_completion_function=1
    noun_aliases=()
}

_net_completion()
{
    last_command="net_completion"

    command_aliases=()

    commands=()
    commands+=("bash")
    commands+=("fish")
    commands+=("help")
    commands+=("powershell")
    commands+=("zsh")

    flags=()
    two_word_flags=()
    local_nonpersistent_flags=()
    flags_with_completion=()
    flags_completion=()

    flags+=("--help")
    flags+=("-h")
    local_nonpersistent_flags+=("--help")
    local_nonpersistent_flags+=("-h")
    flags+=("--config=")
    two_word_flags+=("--config")
    flags+=("--debug")
    flags+=("--gen-config")

    must_have_one_flag=()
    must_have_one_noun=()
    has_completion_function=1
    noun_aliases=()
}

_net_dump()
{
    last_command="net_dump"

    command_aliases=()

    commands=()

    flags=()
    two_word_flags=()
    local_nonpersistent_flags=()
    flags_with_completion=()
    flags_completion=()

    flags+=("--begin=")
    two_word_flags+=("--begin")
    local_nonpersistent_flags+=("--begin")
    local_nonpersistent_flags+=("--begin=")
    flags+=("--csv")
    local_nonpersistent_flags+=("--csv")
    flags+=("--end=")
    two_word_flags+=("--end")
    local_nonpersistent_flags+=("--end")
    local_nonpersistent_flags+=("--end=")
    flags+=("--epoch")
    local_nonpersistent_flags+=("--epoch")
    flags+=("--fields")
    local_nonpersistent_flags+=("--fields")
    flags+=("--header")
    local_nonpersistent_flags+=("--header")
    flags+=("--help")
    flags+=("-h")
    local_nonpersistent_flags+=("--help")
    local_nonpersistent_flags+=("-h")
    flags+=("--json")
    local_nonpersistent_flags+=("--json")
    flags+=("--no-header-line")
    local_nonpersistent_flags+=("--no-header-line")
    flags+=("--parquet=")
    two_word_flags+=("--parquet")
    local_nonpersistent_flags+=("--parquet")
    local_nonpersistent_flags+=("--parquet=")
    flags+=("--read=")
    two_word_flags+=("--read")
    two_word_flags+=("-r")
    local_nonpersistent_flags+=("--read")
    local_nonpersistent_flags+=("--read=")
    local_nonpersistent_flags+=("-r")
    flags+=("--select=")
    two_word_flags+=("--select")
    local_nonpersistent_flags+=("--select")
    local_nonpersistent_flags+=("--select=")
    flags+=("--sep=")
    two_word_flags+=("--sep")
    local_nonpersistent_flags+=("--sep")
    local_nonpersistent_flags+=("--sep=")
    flags+=("--struc")
    local_nonpersistent_flags+=("--struc")
    flags+=("--struct-sep=")
    two_word_flags+=("--struct-sep")
    local_nonpersistent_flags+=("--struct-sep")
    local_nonpersistent_flags+=("--struct-sep=")
    flags+=("--table")
    local_nonpersistent_flags+=("--table")
    flags+=("--tsv")
    local_nonpersistent_flags+=("--tsv")
    flags+=("--utc")
    local_nonpersistent_flags+=("--utc")
    flags+=("--config=")
    two_word_flags+=("--config")
    flags+=("--debug")
    flags+=("--gen-config")

    must_have_one_flag=()
    must_have_one_noun=()
    noun_aliases=()
}

_net_export()
{
    last_command="net_export"

    command_aliases=()

    commands=()

    flags=()
    two_word_flags=()
    local_nonpersistent_flags=()
    flags_with_completion=()
    flags_completion=()

    flags+=("--address=")
    two_word_flags+=("--address")
    local_nonpersistent_flags+=("--address")
    local_nonpersistent_flags+=("--address=")
    flags+=("--help")
    flags+=("-h")
    local_nonpersistent_flags+=("--help")
    local_nonpersistent_flags+=("-h")
    flags+=("--read=")
    two_word_flags+=("--read")
    two_word_flags+=("-r")
    local_nonpersistent_flags+=("--read")
    local_nonpersistent_flags+=("--read=")
    local_nonpersistent_flags+=("-r")
    flags+=("--replay")
    local_nonpersistent_flags+=("--replay")
    flags+=("--speed=")
    two_word_flags+=("--speed")
    local_nonpersistent_flags+=("--speed")
    local_nonpersistent_flags+=("--speed=")
    flags+=("--config=")
    two_word_flags+=("--config")
    flags+=("--debug")
    flags+=("--gen-config")

    must_have_one_flag=()
    must_have_one_noun=()
    noun_aliases=()
}

_net_help()
{
    last_command="net_help"

    command_aliases=()

    commands=()

    flags=()
    two_word_flags=()
    local_nonpersistent_flags=()
    flags_with_completion=()
    flags_completion=()

    flags+=("--config=")
    two_word_flags+=("--config")
    flags+=("--debug")
    flags+=("--gen-config")

    must_have_one_flag=()
    must_have_one_noun=()
    has_completion_function=1
    noun_aliases=()
}

_net_label()
{
    last_command="net_label"

    command_aliases=()

    commands=()

    flags=()
    two_word_flags=()
    local_nonpersistent_flags=()
    flags_with_completion=()
    flags_completion=()

    flags+=("--alerts=")
    two_word_flags+=("--alerts")
    local_nonpersistent_flags+=("--alerts")
    local_nonpersistent_flags+=("--alerts=")
    flags+=("--collect")
    local_nonpersistent_flags+=("--collect")
    flags+=("--custom=")
    two_word_flags+=("--custom")
    local_nonpersistent_flags+=("--custom")
    local_nonpersistent_flags+=("--custom=")
    flags+=("--epoch")
    local_nonpersistent_flags+=("--epoch")
    flags+=("--exclude=")
    two_word_flags+=("--exclude")
    local_nonpersistent_flags+=("--exclude")
    local_nonpersistent_flags+=("--exclude=")
    flags+=("--help")
    flags+=("-h")
    local_nonpersistent_flags+=("--help")
    local_nonpersistent_flags+=("-h")
    flags+=("--out=")
    two_word_flags+=("--out")
    two_word_flags+=("-o")
    local_nonpersistent_flags+=("--out")
    local_nonpersistent_flags+=("--out=")
    local_nonpersistent_flags+=("-o")
    flags+=("--parquet")
    local_nonpersistent_flags+=("--parquet")
    flags+=("--quiet")
    flags+=("-q")
    local_nonpersistent_flags+=("--quiet")
    local_nonpersistent_flags+=("-q")
    flags+=("--read=")
    two_word_flags+=("--read")
    two_word_flags+=("-r")
    local_nonpersistent_flags+=("--read")
    local_nonpersistent_flags+=("--read=")
    local_nonpersistent_flags+=("-r")
    flags+=("--rules=")
    two_word_flags+=("--rules")
    local_nonpersistent_flags+=("--rules")
    local_nonpersistent_flags+=("--rules=")
    flags+=("--strict")
    local_nonpersistent_flags+=("--strict")
    flags+=("--suricata=")
    two_word_flags+=("--suricata")
    local_nonpersistent_flags+=("--suricata")
    local_nonpersistent_flags+=("--suricata=")
    flags+=("--suricata-config=")
    two_word_flags+=("--suricata-config")
    local_nonpersistent_flags+=("--suricata-config")
    local_nonpersistent_flags+=("--suricata-config=")
    flags+=("--window=")
    two_word_flags+=("--window")
    local_nonpersistent_flags+=("--window")
    local_nonpersistent_flags+=("--window=")
    flags+=("--config=")
    two_word_flags+=("--config")
    flags+=("--debug")
    flags+=("--gen-config")

    must_have_one_flag=()
    must_have_one_noun=()
    noun_aliases=()
}

_net_proxy()
{
    last_command="net_proxy"

    command_aliases=()

    commands=()

    flags=()
    two_word_flags=()
    local_nonpersistent_flags=()
    flags_with_completion=()
    flags_completion=()

    flags+=("--compress")
    local_nonpersistent_flags+=("--compress")
    flags+=("--compression=")
    two_word_flags+=("--compression")
    local_nonpersistent_flags+=("--compression")
    local_nonpersistent_flags+=("--compression=")
    flags+=("--dialTimeout=")
    two_word_flags+=("--dialTimeout")
    local_nonpersistent_flags+=("--dialTimeout")
    local_nonpersistent_flags+=("--dialTimeout=")
    flags+=("--help")
    flags+=("-h")
    local_nonpersistent_flags+=("--help")
    local_nonpersistent_flags+=("-h")
    flags+=("--idleConnTimeout=")
    two_word_flags+=("--idleConnTimeout")
    local_nonpersistent_flags+=("--idleConnTimeout")
    local_nonpersistent_flags+=("--idleConnTimeout=")
    flags+=("--local=")
    two_word_flags+=("--local")
    local_nonpersistent_flags+=("--local")
    local_nonpersistent_flags+=("--local=")
    flags+=("--max-body=")
    two_word_flags+=("--max-body")
    local_nonpersistent_flags+=("--max-body")
    local_nonpersistent_flags+=("--max-body=")
    flags+=("--max-header-bytes=")
    two_word_flags+=("--max-header-bytes")
    local_nonpersistent_flags+=("--max-header-bytes")
    local_nonpersistent_flags+=("--max-header-bytes=")
    flags+=("--max-headers=")
    two_word_flags+=("--max-headers")
    local_nonpersistent_flags+=("--max-headers")
    local_nonpersistent_flags+=("--max-headers=")
    flags+=("--max-request=")
    two_word_flags+=("--max-request")
    local_nonpersistent_flags+=("--max-request")
    local_nonpersistent_flags+=("--max-request=")
    flags+=("--max-response=")
    two_word_flags+=("--max-response")
    local_nonpersistent_flags+=("--max-response")
    local_nonpersistent_flags+=("--max-response=")
    flags+=("--maxIdle=")
    two_word_flags+=("--maxIdle")
    local_nonpersistent_flags+=("--maxIdle")
    local_nonpersistent_flags+=("--maxIdle=")
    flags+=("--metrics=")
    two_word_flags+=("--metrics")
    local_nonpersistent_flags+=("--metrics")
    local_nonpersistent_flags+=("--metrics=")
    flags+=("--out=")
    two_word_flags+=("--out")
    two_word_flags+=("-o")
    local_nonpersistent_flags+=("--out")
    local_nonpersistent_flags+=("--out=")
    local_nonpersistent_flags+=("-o")
    flags+=("--payload")
    local_nonpersistent_flags+=("--payload")
    flags+=("--proxy-config=")
    two_word_flags+=("--proxy-config")
    local_nonpersistent_flags+=("--proxy-config")
    local_nonpersistent_flags+=("--proxy-config=")
    flags+=("--quiet")
    flags+=("-q")
    local_nonpersistent_flags+=("--quiet")
    local_nonpersistent_flags+=("-q")
    flags+=("--remote=")
    two_word_flags+=("--remote")
    local_nonpersistent_flags+=("--remote")
    local_nonpersistent_flags+=("--remote=")
    flags+=("--responseTimeout=")
    two_word_flags+=("--responseTimeout")
    local_nonpersistent_flags+=("--responseTimeout")
    local_nonpersistent_flags+=("--responseTimeout=")
    flags+=("--skipTlsVerify")
    local_nonpersistent_flags+=("--skipTlsVerify")
    flags+=("--timeout=")
    two_word_flags+=("--timeout")
    local_nonpersistent_flags+=("--timeout")
    local_nonpersistent_flags+=("--timeout=")
    flags+=("--tls-cert=")
    two_word_flags+=("--tls-cert")
    local_nonpersistent_flags+=("--tls-cert")
    local_nonpersistent_flags+=("--tls-cert=")
    flags+=("--tls-key=")
    two_word_flags+=("--tls-key")
    local_nonpersistent_flags+=("--tls-key")
    local_nonpersistent_flags+=("--tls-key=")
    flags+=("--tlsTimeout=")
    two_word_flags+=("--tlsTimeout")
    local_nonpersistent_flags+=("--tlsTimeout")
    local_nonpersistent_flags+=("--tlsTimeout=")
    flags+=("--config=")
    two_word_flags+=("--config")
    flags+=("--debug")
    flags+=("--gen-config")

    must_have_one_flag=()
    must_have_one_noun=()
    noun_aliases=()
}

_net_transform()
{
    last_command="net_transform"

    command_aliases=()

    commands=()

    flags=()
    two_word_flags=()
    local_nonpersistent_flags=()
    flags_with_completion=()
    flags_completion=()

    flag_parsing_disabled=1
    flags+=("--help")
    flags+=("-h")
    local_nonpersistent_flags+=("--help")
    local_nonpersistent_flags+=("-h")
    flags+=("--config=")
    two_word_flags+=("--config")
    flags+=("--debug")
    flags+=("--gen-config")

    must_have_one_flag=()
    must_have_one_noun=()
    noun_aliases=()
}

_net_util()
{
    last_command="net_util"

    command_aliases=()

    commands=()

    flags=()
    two_word_flags=()
    local_nonpersistent_flags=()
    flags_with_completion=()
    flags_completion=()

    flags+=("--check")
    local_nonpersistent_flags+=("--check")
    flags+=("--env")
    local_nonpersistent_flags+=("--env")
    flags+=("--help")
    flags+=("-h")
    local_nonpersistent_flags+=("--help")
    local_nonpersistent_flags+=("-h")
    flags+=("--interfaces")
    local_nonpersistent_flags+=("--interfaces")
    flags+=("--merge")
    local_nonpersistent_flags+=("--merge")
    flags+=("--out=")
    two_word_flags+=("--out")
    two_word_flags+=("-o")
    local_nonpersistent_flags+=("--out")
    local_nonpersistent_flags+=("--out=")
    local_nonpersistent_flags+=("-o")
    flags+=("--read=")
    two_word_flags+=("--read")
    two_word_flags+=("-r")
    local_nonpersistent_flags+=("--read")
    local_nonpersistent_flags+=("--read=")
    local_nonpersistent_flags+=("-r")
    flags+=("--repair")
    local_nonpersistent_flags+=("--repair")
    flags+=("--split=")
    two_word_flags+=("--split")
    local_nonpersistent_flags+=("--split")
    local_nonpersistent_flags+=("--split=")
    flags+=("--ts2utc=")
    two_word_flags+=("--ts2utc")
    local_nonpersistent_flags+=("--ts2utc")
    local_nonpersistent_flags+=("--ts2utc=")
    flags+=("--utc2ts=")
    two_word_flags+=("--utc2ts")
    local_nonpersistent_flags+=("--utc2ts")
    local_nonpersistent_flags+=("--utc2ts=")
    flags+=("--version")
    local_nonpersistent_flags+=("--version")
    flags+=("--config=")
    two_word_flags+=("--config")
    flags+=("--debug")
    flags+=("--gen-config")

    must_have_one_flag=()
    must_have_one_noun=()
    noun_aliases=()
}

_net_root_command()
{
    last_command="net"

    command_aliases=()

    commands=()
    commands+=("agent")
    commands+=("capture")
    commands+=("collect")
    commands+=("completion")
    commands+=("dump")
    commands+=("export")
    commands+=("help")
    commands+=("label")
    commands+=("proxy")
    commands+=("transform")
    commands+=("util")

    flags=()
    two_word_flags=()
    local_nonpersistent_flags=()
    flags_with_completion=()
    flags_completion=()

    flags+=("--config=")
    two_word_flags+=("--config")
    flags+=("--debug")
    flags+=("--gen-config")
    flags+=("--help")
    flags+=("-h")
    local_nonpersistent_flags+=("--help")
    local_nonpersistent_flags+=("-h")

    must_have_one_flag=()
    must_have_one_noun=()
    noun_aliases=()
}

__start_net()
{
    local cur prev words cword split
    declare -A flaghash 2>/dev/null || :
    declare -A aliashash 2>/dev/null || :
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -s || return
    else
        __net_init_completion -n "=" || return
    fi

    local c=0
    local flag_parsing_disabled=
    local flags=()
    local two_word_flags=()
    local local_nonpersistent_flags=()
    local flags_with_completion=()
    local flags_completion=()
    local commands=("net")
    local command_aliases=()
    local must_have_one_flag=()
    local must_have_one_noun=()
    local has_completion_function=""
    local last_command=""
    local nouns=()
    local noun_aliases=()

    __net_handle_word
}

if [[ $(type -t compopt) = "builtin" ]]; then
    complete -o default -F __start_net net
else
    complete -o default -o nospace -F __start_net net
fi

# ex: ts=4 sw=4 et filetype=sh
