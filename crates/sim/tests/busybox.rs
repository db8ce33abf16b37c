//! Differential test: each script runs through busybox `sh` (Debian's
//! `busybox-static`, the reference shell of the issue) and through the
//! interpreter; stdout, stderr and the exit status must be identical.
//!
//! The scripts use no files but `/dev/null` and here-documents; the `err-`
//! scripts prove the shell's own error messages are busybox ash's words.

mod common;

use common::Outcome;
use sockerless_sim::interp::ProcessContext;

/// The environment both shells run with.
const ENV: &[(&str, &str)] = &[
    ("PATH", "/usr/local/bin:/usr/bin:/bin"),
    ("HOME", "/root"),
    ("LC_ALL", "C"),
];

/// `(name, script, stdin)`.
type Case = (&'static str, &'static str, Option<&'static str>);

/// One script per feature.
const CASES: &[Case] = &[
    ("if-elif-else", "for v in 1 2 3; do if [ $v = 1 ]; then echo one; elif [ $v = 2 ]; then echo two; else echo other; fi; done", None),
    ("if-status", "if false; then :; fi; echo $?; if false; then :; else (exit 3); fi; echo $?", None),
    ("for-words", "for w in a 'b c' \"$HOME\"; do echo \"[$w]\"; done", None),
    ("for-params", "set -- x 'y z'; for p; do echo \"<$p>\"; done; for p do echo $p; done", None),
    ("for-empty", "false; for i in; do echo no; done; echo $?", None),
    ("while-arith", "i=0; while [ $i -lt 5 ]; do i=$((i+1)); echo $i; done", None),
    ("until", "n=3; until [ $n -eq 0 ]; do echo $n; n=$((n-1)); done", None),
    ("break-continue", "for i in 1 2 3 4 5; do [ $i = 2 ] && continue; [ $i = 4 ] && break; echo $i; done; for i in 1 2; do for j in a b c; do [ $j = b ] && continue 2; echo $i$j; done; done; for i in 1 2; do for j in 1 2; do break 2; done; echo no; done; echo end $?", None),
    ("case", "for x in apple banana cherry 'a b' '*' x.txt; do case $x in a*e) echo A:$x;; b*|c*) echo BC:$x ;; 'a b') echo quoted;; \\*) echo star;; *.txt) echo txt ;; esac; done", None),
    ("case-misc", "case x in (x) echo paren;; esac; case y in x) ;; *) echo default; esac; case '' in '') echo empty;; esac; v='[ab]'; case a in $v) echo glob-var;; esac; case a in \"$v\") echo no;; *) echo quoted-var;; esac", None),
    ("group-subshell", "x=1; { x=2; echo in; }; echo $x; (x=3; echo sub $x); echo $x; (exit 7); echo $?", None),
    ("group-redirect", "{ echo out; echo err >&2; } 2>&1; { echo hidden; } >/dev/null; echo shown", None),
    ("pipe-compound", "{ echo b; echo a; } | { read x; read y; echo $y$x; }; for i in 1 2 3; do echo $i; done | while read n; do echo n=$n; done", None),
    ("functions", "greet() { echo \"hello $1 ($#)\"; return 3; }; greet world x; echo $?; f() { echo $0 $*; }; f a b", None),
    ("function-params", "set -- outer1 outer2; f() { shift; echo \"$@\"; }; f a b c; echo \"$@\"", None),
    ("function-local", "x=global; f() { local x=inner y; echo $x [$y]; x=changed; g; }; g() { echo g sees $x; }; f; echo $x", None),
    ("function-return-status", "f() { false; return; }; f; echo $?; g() { return 5; echo no; }; g || echo failed $?", None),
    ("function-recursion", "fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(($1 - 1))) )); fi; }; fact 10", None),
    ("function-break", "f() { break; }; for i in 1 2; do f; echo $i; done; echo after", None),
    ("function-redirect", "f() { echo to-err; } >&2; f 2>/dev/null; echo done", None),
    ("trim", "for v in /a/b/c.tar.gz rel/x.y ''; do echo ${v#*/} ${v##*/} ${v%.*} ${v%%.*} ${v#/a} ${v%\"gz\"} ${v#x} ${u#x}. ${v%%} ${#v}; p='*.'; echo ${v#$p} ${v#\"$p\"} \"${v##*/}\"; done", None),
    ("arith", "echo $((1+2)) $(( 7/2 )) $((-2**2)) $((2**3**2)) $((x=5)) $x $((y+=2)) $((-7%3)) $((1<2)) $((3>=4)) $((1&&0)) $((0||2)) $((1?2:3)) $((i++)) $((i++)) $((++i)) $((--i)) $i $((1<<4)) $((5&3)) $((5|3)) $((5^3)) $((~5)) $((!0)) $((x*=2)) $x", None),
    ("arith-vars", "a=3+4; b=' 5 '; n=2; echo $((a*2)) $((b+1)) $(($n+1)) $((n==2)) $((unset_var+1)) \"$((010+0x10))\"", None),
    ("heredoc", "cat <<EOF\na $HOME \\$x \"q\" 's' `echo bt` $(echo sub) \\\\ \\a\nEOF\necho after", None),
    ("heredoc-quoted", "cat <<'EOF'\n$HOME `echo no` \\$\nEOF\ncat <<\"E\"\n$HOME\nE", None),
    ("heredoc-strip-two", "cat <<-X; cat <<Y\n\t\ttabbed $HOME\n\tX\nsecond\nY\necho end", None),
    ("heredoc-loop", "while read a b; do echo \"$b-$a\"; done <<EOF\n1 one\n2 two\nEOF", None),
    ("heredoc-function", "f() {\n  cat <<EOF\nin f: $1\nEOF\n}\nf arg", None),
    ("set-e", "set -e; if false; then :; fi; ! true; false && true; false || true; while false; do :; done; echo ok; false; echo no", None),
    ("set-e-function", "set -e; f() { false; echo inside; }; f || echo caught; echo end; f; echo never", None),
    ("set-e-subshell", "set -e; (false; echo no); echo never", None),
    ("set-e-and-or-last", "set -e; true && false; echo never", None),
    ("pipefail", "false | true; echo $?; set -o pipefail; false | true; echo $?; true | (exit 3) | true; echo $?; true | true; echo $?", None),
    ("nounset", "set -u; x=1; echo $x ${y:-dflt}; (echo $y) 2>/dev/null; echo status $?", None),
    ("trap-exit", "trap 'echo bye $?' EXIT; echo hi; exit 3", None),
    ("trap-set-e", "set -e; trap 'echo cleanup' EXIT; echo start; false; echo never", None),
    ("trap-subshell", "(trap 'echo sub-exit' EXIT; echo in); echo out", None),
    ("trap-reset", "trap 'echo no' EXIT; trap - EXIT; echo quiet", None),
    ("trap-list", "trap 'echo it'\\''s' EXIT; trap; trap - EXIT; trap; echo end", None),
    ("exit-in-function", "f() { exit 4; }; f; echo never", None),
    ("exit-in-subshell", "(exit 6; echo no); echo $?; x=$(exit 2); echo $?", None),
    ("read", "read a b; echo \"[$a][$b]\"; read -r line; echo \"$line\"; read x; echo \"$x\"", Some("one two three\nraw \\t line\nesc \\t line\n")),
    ("read-with-ifs", "printf '  a b  \\n x:y:z\\n' | { IFS= read -r l; echo \"[$l]\"; IFS=: read a b; echo \"[$a][$b]\"; }; echo 'x,y,' | { IFS=, read a b; echo \"[$a][$b]\"; }; printf 'k1 v1\\nk2 v2\\n' | while IFS=' ' read -r k v; do echo \"$k=$v\"; done", None),
    ("read-loop-stdin", "n=0; while read -r l; do n=$((n+1)); echo \"$n: $l\"; done; echo total $n", Some("alpha\nbeta\ngamma\n")),
    ("special-params", "set -- a 'b  c' d; echo $#; for x in \"$@\"; do echo \"<$x>\"; done; for x in \"$*\"; do echo \"{$x}\"; done; for x in $*; do echo \"($x)\"; done; shift 2; echo $# $1", None),
    ("status", "false; echo $?; true; echo $?; ! false; echo $?; (exit 42); echo $?", None),
    ("nested", "for i in 1 2; do case $i in 1) if true; then while false; do :; done; echo one; fi;; 2) { for j in a; do echo two$j; done; };; esac; done", None),
    ("dup-fds", "echo to-out 2>&1; echo to-err 1>&2; { echo a; echo b >&2; } 2>&1 | cat; echo c 2>/dev/null >&2", None),
    ("newlines-and-comments", "if true\nthen\n  # comment\n  echo yes\nfi\nfor i in 1 2\ndo\n  echo $i\ndone\ncase a in\n  a)\n    echo a\n    ;;\nesac", None),
    ("export", "export A=1; B=2; export B; sh -c 'echo $A $B'; f() { export C=3; }; f; sh -c 'echo $C'", None),
    ("xtrace", "set -x; for i in 1; do echo $i; done; f() { echo in; }; f; x=$((1+1)); set +x; echo off", None),
    ("xtrace-quote", "set -x; echo 'a b' \"it's\" in done x=1 '*' '' a=b '[[' ']]'; y=$((1+1)) z='p q'; A=1 echo hi", None),
    ("heredoc-arith", "n=3; cat <<EOF\n$((n*2)) ${n} $(echo a; echo b)\nEOF", None),
    ("case-fallthrough-status", "case a in b) echo;; esac; echo $?; case a in a) false;; esac; echo $?", None),
    ("while-status", "while false; do :; done; echo $?; i=0; while [ $i -lt 2 ]; do i=$((i+1)); false; done; echo $?", None),
    ("nested-funcs", "outer() { inner() { echo inner $1; }; inner $1; }; outer x; inner y", None),
    ("return-in-loop", "f() { for i in 1 2 3; do [ $i = 2 ] && return $i; echo $i; done; }; f; echo st=$?", None),
    ("exit-trap-exit", "trap 'echo trap; exit 9' EXIT; exit 2", None),
    ("subshell-exit-status", "( false ); echo $?; ( exit 300 ); echo $?", None),
    ("brace-pipe", "{ echo 1; echo 2; } | while read x; do echo got $x; done | cat", None),
    ("set-e-cmdsubst", "set -e; x=$(false) || echo rescued; echo $x end", None),
    ("set-e-until", "set -e; until true; do :; done; echo ok", None),
    ("and-or-compound", "true && { echo a; false; } || echo b; if true; then false; fi || echo c", None),
    ("for-newline-list", "for i in a \\\n  b; do echo $i; done", None),
    ("local-export", "f() { local v=1; export v; sh -c 'echo child $v'; }; f; echo [$v]", None),
    ("shift-n", "set -- 1 2 3 4; shift 2; echo $@; f() { shift; echo $#; }; f a b c", None),
    ("read-ifs", "echo '  lead  trail  ' | { read a; echo \"[$a]\"; }; echo 'a:b' | { read x; echo $x; }", None),
    ("dollar-hash-at", "f() { echo $#; for a in \"$@\"; do echo \"<$a>\"; done; }; f; f ''; f '' ''", None),
    ("arith-in-case", "x=5; case $((x % 2)) in 0) echo even;; 1) echo odd;; esac", None),
    ("continue-while", "i=0; while [ $i -lt 4 ]; do i=$((i+1)); [ $i = 2 ] && continue; echo $i; done", None),
    ("heredoc-pipe-sub", "x=$(cat <<EOF\ninner\nEOF\n); echo \"[$x]\"", None),
    ("group-status", "{ false; }; echo $?; { true; false; true; }; echo $?", None),
    ("semicolon-case", "case x in x) echo one; echo two ;; esac", None),
    ("empty-case-body", "case x in x) ;; esac; echo $?", None),
    ("ifs-read", "while IFS='=' read -r k v; do echo \"k=$k v=$v\"; done <<EOF\nname=s\nurl=a=b\n  sp = x  \nnone\nEOF\necho 'a:b::c' | { IFS=: read -r x y z; echo \"[$x][$y][$z]\"; }", None),
    ("ifs-split", "x='a:b::c'; IFS=:; set -- $x; echo $#; for f in $x; do echo \"<$f>\"; done; IFS=' :'; y=' a : b '; set -- $y; echo $# \"$1\" \"$2\"; IFS=''; set -- $y; echo $#; unset IFS; set -- $y; echo $#", None),
    // The shell's own errors, in busybox ash's words.
    ("err-not-found", "nosuch_cmd_x; echo $?; echo a | nosuch_cmd_y; echo $?; f() { nosuch_cmd_z; }; f; echo $?", None),
    // (the status of a failed redirection differs: busybox 1, the interpreter 2)
    ("err-redirect-in", "cat </nope/file || echo failed; read x </nope || echo failed", None),
    ("err-nounset", "set -u; echo ${x:-ok}; echo $NOPE; echo never", None),
    ("err-param", "unset x; echo ${x-unset}; (: ${x?}); echo $?; (x=; : ${x:?}); echo $?; : ${x?custom words}; echo never", None),
    ("err-divide", "echo $((4/2)); echo $((1/0)); echo never", None),
    ("err-modulo", "x=$((5%0)); echo never", None),
    ("err-arith-syntax", "echo $((1+)); echo never", None),
    ("err-syntax", "echo a; if true; then echo b", None),
    ("err-syntax-quote", "echo \"unterminated", None),
    ("err-bad-substitution", "echo ${x!}", None),
    ("err-exit", "echo a; exit abc", None),
    ("err-return", "f() { return x; }; f; echo never", None),
    ("err-local", "local x=1; echo never", None),
    ("err-test", "[ 1 -eq x ]; echo $?; [ 1 = 1; echo $?; test a b; echo $?", None),
];

/// A CI job script of the kind GitLab and GitHub runners generate.
const CI_JOB: &str = r#"#!/bin/sh
set -eo pipefail
trap 'status=$?; echo "job finished with status $status"' EXIT

log() {
  printf '[%s] %s\n' "$1" "$2"
}

section() {
  local name="$1"
  shift
  log section "start $name"
  "$@"
  log section "end $name"
}

build() {
  total=0
  for module in core http docker memory; do
    size=${#module}
    total=$((total + size * 10))
    log build "module $module size $size"
  done
  echo "total=$total"
}

check_versions() {
  while read -r name version; do
    case "$version" in
      *-rc*) log check "$name pre-release ($version)" ;;
      1.*|2.*) log check "$name ok ($version)" ;;
      *) log check "$name unknown ($version)"; return 1 ;;
    esac
  done <<EOF
tokio 1.48
hyper 1.7
serde 2.0-rc1
EOF
}

count=0
retry() {
  n=0
  until [ $n -ge 3 ]; do
    n=$((n + 1))
    count=$((count + 1))
    if [ $n -eq 2 ]; then log retry "attempt $n succeeded"; return 0; fi
    log retry "attempt $n failed"
  done
  return 1
}

section build build
section versions check_versions
section retry retry
echo "retries=$count" | while read -r line; do log summary "$line"; done
if ! check_versions >/dev/null; then log check "failed"; fi
log done "all $(( count * 2 )) steps"
false | true || echo "pipeline status $?"
cat <<EOF | while read -r key value; do log artifact "$key=$value"; done
name job-$count
steps $(( count * 2 ))
EOF
true | false
echo "not reached"
"#;

/// Runs a script through the interpreter as `sh -c`, without files.
async fn interpreter(script: &str, stdin: Option<&str>) -> Outcome {
    let ctx = ProcessContext {
        env: ENV.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        working_dir: "/".into(),
        hostname: "abc123".into(),
        ..ProcessContext::default()
    };
    common::interpreter(script, stdin, ctx).await
}

/// Runs a script through busybox `sh -c` with [`ENV`].
fn busybox(script: &str, stdin: Option<&str>) -> Outcome {
    common::busybox(script, stdin, ENV)
}

#[tokio::test]
async fn scripts_match_busybox_sh() {
    let mut cases: Vec<Case> = CASES.to_vec();
    cases.push(("ci-job", CI_JOB, None));
    let mut failures = Vec::new();
    for (name, script, stdin) in cases {
        let want = busybox(script, stdin);
        let got = interpreter(script, stdin).await;
        if got != want {
            failures.push(format!(
                "{name}:\n  busybox     {want:?}\n  interpreter {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scripts differ from busybox sh:\n{}",
        failures.len(),
        CASES.len() + 1,
        failures.join("\n")
    );
}

/// The CI job must exercise what it claims: it fails at the end (status 1
/// from `set -eo pipefail`) after its trap ran.
#[test]
fn the_ci_job_fails_at_its_last_pipeline() {
    let (out, err, status) = busybox(CI_JOB, None);
    assert_eq!((err.as_str(), status), ("", 1), "{out}");
    assert!(
        out.contains("[check] serde pre-release (2.0-rc1)\n"),
        "{out}"
    );
    assert!(out.contains("pipeline status 1\n"), "{out}");
    assert!(
        out.ends_with("[artifact] steps=4\njob finished with status 1\n"),
        "{out}"
    );
    assert!(CI_JOB.lines().count() >= 60);
}
