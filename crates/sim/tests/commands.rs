//! The simulated commands against the real thing: every scenario runs in
//! busybox 1.35 (`busybox sh -c SCRIPT` in a fresh temporary directory) and
//! in the interpreter (over a [`MapFs`] whose working directory is empty),
//! and stdout, stderr and the exit status must be identical. Scenarios use
//! relative paths only, and no shell-level errors (the interpreter words
//! those as dash does).
//!
//! Needs `busybox` on the PATH (Debian: `apt-get install busybox-static`;
//! `.ci/run` installs it).

mod common;

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use common::Outcome;
use sockerless_sim::interp::{Files, MapFs, ProcessContext};

/// busybox's environment: the interpreter's is `PATH` alone.
const ENV: &[(&str, &str)] = &[("PATH", "/usr/bin:/bin"), ("LC_ALL", "C"), ("TZ", "UTC")];

fn busybox(script: &str) -> Outcome {
    common::busybox(script, None, ENV)
}

/// The interpreter over a [`MapFs`] with an empty working directory `/w`.
async fn ours(script: &str) -> Outcome {
    let fs = MapFs::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    fs.add_dir("/w");
    let ctx = ProcessContext {
        working_dir: "/w".into(),
        env: vec!["PATH=/usr/bin:/bin".into()],
        files: Some(Files(Arc::new(fs))),
        ..ProcessContext::default()
    };
    common::interpreter(script, None, ctx).await
}

/// Scenarios, by command.
const SCENARIOS: &[&str] = &[
    // mkdir
    "mkdir a; mkdir a; echo $?; mkdir x/y; echo $?; ls",
    "mkdir -p a/b/c; mkdir -p a/b; echo $?; ls a/b",
    "mkdir -p a; echo > a/f; mkdir -p a/f/g/h; echo $?; mkdir -p a/f; echo $?; mkdir a/f/x; echo $?",
    "mkdir -m 700 d; stat -c %a d; mkdir -pm 711 e/f; stat -c %a e/f",
    // rm, rmdir
    "rm nope; echo $?; rm -f nope; echo $?; mkdir d; rm d; echo $?; rmdir d; echo $?; ls",
    "mkdir -p d/e/f; echo x > d/e/g; rm -r d; echo $?; ls; rm -rf d; echo $?",
    "mkdir -p d/e; rmdir d; echo $?; echo > f; rmdir f; echo $?; rmdir -p d/e; echo $?; ls",
    "rm -r .; echo $?; rm -rf ..; echo $?; mkdir d; rm -R d/; echo $?; ls",
    // cp
    "echo hi > a; cp a b; cat b; cp nope x; echo $?; mkdir d; cp d e; echo $?; cp a d; cat d/a",
    "echo a > a; cp a b c; echo $?; mkdir d; cp a a d; echo $?; ls d",
    "mkdir -p d/e; echo 1 > d/f; echo 2 > d/e/g; cp -r d c; find c | sort; cp -r d c; find c | sort",
    "echo x > f; chmod 750 f; cp f g; stat -c %a g; cp -p f h; stat -c %a h; cp -a f i; stat -c %a i",
    "echo a > f; mkdir e; cp f e/f/x; echo $?",
    "echo a > t; ln -s t l; cp l c; stat -c %F c; cp -a l c2; stat -c %F c2",
    // mv
    "echo a > a; mv a b; cat b; ls; mv nope x; echo $?",
    "mkdir d; echo a > a; mv a d; ls d; mv d e; ls; mv e e/x; echo $?",
    "echo a > a; echo b > b; mv a b c; echo $?; mkdir d; mv a b d; ls d",
    // touch
    "touch a b; ls; touch x/y; echo $?; touch -c n; echo $?; ls",
    // chmod
    "echo > f; chmod 4755 f; stat -c '%a %A' f; chmod a-x f; stat -c %a f; chmod +x f; stat -c %a f",
    "echo > f; chmod go-w,u=rw f; stat -c %a f; chmod 1777 f; stat -c %A f; chmod u+s,g+s f; stat -c '%A %a' f",
    "echo > f; chmod 444 f; chmod +w f; stat -c %a f; chmod zz f; echo $?; chmod 755 nope; echo $?",
    "mkdir -p d/e; echo > d/f; chmod -R 700 d; stat -c %a d d/e d/f; chmod u=rwx,go=rx d; stat -c %a d",
    // ln
    "echo a > t; ln -s t l; cat l; ln -s t l; echo $?; ln -sf u l; echo $?; stat -c %F l",
    "mkdir d; echo a > t; ln -s ../t d; cat d/t; ln -s t1 t2 d; ls d",
    // test
    "mkdir d; echo x > f; : > e; ln -s f l; ln -s nope dl; \
     test -f f && echo f1; test -f d || echo f2; test -d d && echo d1; test -e nope || echo e1; \
     test -s f && echo s1; test -s e || echo s2; [ -L l ] && echo L1; [ -h f ] || echo L2; \
     [ -e dl ] || echo e2; [ -L dl ] && echo L3; [ -r f ] && echo r1; [ -w f ] && echo w1",
    "echo > f; chmod 755 f; [ -x f ] && echo x1; chmod 644 f; [ -x f ] || echo x2; [ -x . ] && echo x3",
    // wc
    "printf 'a b\\nc\\n' > f; wc f; wc -l f; wc -w < f; wc -c f f; printf 'x y' | wc",
    "printf 'a b\\nc\\n' > f; wc -l f f; wc -lw f; wc -L f; wc nope f; echo $?",
    // head, tail
    "printf '1\\n2\\n3\\n' > a; printf 'x\\ny' > b; head -n 2 a b; tail -n 1 a b; head -c 3 a; tail -c 3 a",
    "printf '1\\n2\\n3\\n4\\n' > a; tail -n +2 a; head -n 1 a nope a; echo $?; tail nope; echo $?; head -2 a; tail -1 a",
    "seq 1 20 > a; head a; tail a; head -n -17 a; tail -n 3 < a; tail -c +45 a",
    // grep
    "printf 'foo\\nbar\\nFoo bar\\n' > f; grep foo f; grep -i foo f; grep -v foo f; grep -c o f; grep -n bar f",
    "printf 'foo\\nbar\\n' > f; grep -q foo f; echo $?; grep -q nope f; echo $?; grep x nope; echo $?; grep -s x nope; echo $?",
    "printf 'ab1\\nab22\\nc\\n' > f; grep -E 'b[0-9]+' f; grep 'b[0-9]\\+' f; grep -o '[0-9]*' f; grep -F 'b[' f; echo $?",
    "printf 'a.c\\nabc\\n' > f; grep -F a.c f; grep 'a\\.c' f; grep -x abc f; grep -w a f; echo $?",
    "printf 'x(1)\\nx{2}\\na|b\\n' > f; grep '(1)' f; grep 'x{2}' f; grep 'a|b' f; grep -E 'a|q' f; grep -E '\\(1\\)' f",
    "printf 'ab\\nabab\\n' > f; grep '\\(ab\\)\\{2\\}' f; grep -E '(ab){2}' f; grep '^ab$' f; grep 'b$' f; grep -c '' f",
    "mkdir -p d/e; echo hit > d/a; echo miss > d/b; echo hit > d/e/c; grep -r hit d | sort; grep -rl hit d | sort; grep -rc hit d | sort; grep -r hit d/e",
    "echo hello > f; grep -e hel -e xyz f; grep -l hel f f; grep -L nope f; grep -H hel f; grep -h hel f f",
    "echo abc | grep b; echo abc | grep -o b -; printf 'a\\nb\\n' | grep -v a",
    // sed
    "printf 'hello world\\nfoo\\n' > f; sed 's/o/0/' f; sed 's/o/0/g' f; sed -n '2p' f; sed '1d' f; sed -n '/foo/p' f",
    "printf 'abc\\n' | sed 's/\\(a\\)\\(b\\)/\\2\\1/'; echo abc | sed -E 's/(b)(c)/[\\2\\1]/'; echo abc | sed 's/b/<&>/'",
    "printf '1\\n2\\n3\\n4\\n' > f; sed '2,3d' f; sed -n '$p' f; sed '/2/,/3/s/^/x/' f; sed '2!d' f; sed 3q f",
    "printf 'a\\nb\\n' > f; sed -i 's/a/A/' f; cat f; sed -e 's/A/1/' -e 's/b/2/' f; sed -n 's/b/B/p' f",
    "echo 'a/b' | sed 's|/|-|'; echo aaa | sed 's/a/b/2'; echo 'a b' | sed 's/ /\\n/'; echo x | sed 'a\\\ny'",
    "echo abc | sed 'y/abc/xyz/'; printf 'a\\nb\\n' | sed '1i top'; printf 'a\\nb\\n' | sed '$a end'; printf 'a\\nb\\n' | sed =",
    "printf 'a\\nb' | sed 's/b/c/'; echo; sed p nope; echo $?; echo x | sed 's/x/\\t/' | tr '\\t' T",
    // sort, uniq
    "printf 'b\\na\\nB\\na\\n' > f; sort f; sort -u f; sort -r f; printf '10\\n9\\n-1\\nx\\n 5\\n' | sort -n",
    "printf '10\\n9\\n2\\n' | sort -rn; printf 'a 3\\nb 1\\nc 2\\n' | sort -k 2; printf 'a:3\\nb:1\\n' | sort -t : -k 2 -n; sort nope; echo $?",
    "printf 'b\\na\\nb\\nb\\nc\\n' | uniq -c; printf 'a\\na\\nb\\n' | uniq; printf 'a\\na\\nb\\n' | uniq -d; printf 'a\\na\\nb\\n' | uniq -u; uniq nope; echo $?",
    // tr
    "echo hello | tr a-z A-Z; echo hello | tr -d l; echo 'aaa  bbb' | tr -s ' a'; echo abc | tr abc x",
    "echo a.b | tr '[:lower:]' '[:upper:]'; echo abc | tr -c a X; echo; echo 'a b  c' | tr -s ' ' '\\n'; echo abc | tr -d '[:alpha:]'",
    // cut
    "echo a:b:c | cut -d: -f2; echo a:b:c | cut -d: -f1,3; echo a:b:c | cut -d: -f2-; echo abc | cut -d: -f2; echo abc | cut -s -d: -f2",
    "echo abcdef | cut -c2-4; printf 'a\\tb\\n' | cut -f2; echo abcdef | cut -b -2,5-; cut -f1 nope; echo $?",
    // basename, dirname
    "basename /a/b/; basename a.txt .txt; dirname /a/b/; dirname a; dirname /; basename /",
    // digests
    "echo x | sha256sum; echo x > f; sha256sum f; md5sum f; printf '' | md5sum; sha256sum nope; echo $?",
    // find
    "mkdir -p d/e; echo > d/f; echo > d/e/g.txt; find d | sort; find d -type f | sort; find d -name '*.txt'; find d -type d | sort",
    "mkdir -p d/e; echo > d/f; find . -name f; find d -maxdepth 1 | sort; find nope; echo $?; find d ! -type d | sort",
    // date (fixed instants)
    "date -u -d @1700000000; date -u -d @0 '+%Y-%m-%d %H:%M:%S %j %a %b'; date -u -d @951782400 +%F_%T_%u_%s",
    // xargs
    "echo a b c | xargs; printf 'a\\nb\\nc\\n' | xargs -n 2 echo x; printf 'a b\\nc\\n' | xargs -I {} echo [{}]",
    "printf '' | xargs echo hi; printf '' | xargs -r echo hi; echo a | xargs false; echo $?; echo a | xargs nosuchcmd; echo $?",
    "echo 'a \"b c\" d' | xargs -n1; echo a | xargs sh -c 'exit 255'; echo $?; mkdir d; echo d/f | xargs touch; ls d",
    // cat
    "cat nope; echo $?; echo a > a; cat a - a < a",
    // more edges
    "printf 'a b c\\n' > f; grep -n b f f; grep -c b f nope; echo $?; grep -o 'b c' f; grep -E '^(a|x) ' f",
    "printf 'x1\\ny22\\nz\\n' > f; sed -n '/x/,/y/p' f; sed -n '2,$p' f; sed 's/[0-9]\\{2\\}/N/' f; sed -E 's/[0-9]+$//' f",
    "printf 'a\\n\\nb\\n' > f; grep -c '^$' f; grep -v '^$' f; sed '/^$/d' f; wc -l < f",
    "printf 'k=v\\n' > f; sed 's/=.*//' f; sed 's/^\\([^=]*\\)=\\(.*\\)$/\\2=\\1/' f; sed 's/.*/[&]/' f; sed 's/k/\\&/' f",
    "echo 'one two three' | cut -d' ' -f2; echo 'one two three' | cut -d ' ' -f 1,3; echo 'a,b' | tr , '\\n' | sort -r",
    "printf '3\\n1\\n2\\n' > f; sort f > g; cat g; sort -o f f; cat f; printf 'b 2\\na 10\\n' | sort -k2 -n",
    "echo 'Hello World' | tr -d '[:space:]'; echo; echo 'Hello' | tr '[:upper:][:lower:]' '[:lower:][:upper:]'; echo aabbcc | tr -s a-c",
    "mkdir -p a/b; echo x > a/b/f; cp -r a/ c; find c | sort; mv c/b c/d; find c | sort",
    "echo x > f; mkdir d; mv f d/; ls d; cp d/f .; ls; mv d/f d/g; ls d",
    "echo a > f; ln -s f l; rm l; ls; ln -s d dl; mkdir d; ls -d dl; rm -r dl; ls",
    "mkdir d; touch d/a d/b; rmdir d; echo $?; rm d/a; echo $?; rm -f d/a d/b; rmdir d; echo $?",
    "printf 'a\\nb\\nc\\n' | head -n 2 | tail -n 1; printf 'a\\nb\\nc\\n' | tail -n 2 | head -n 1; seq 5 | sed -n '$='",
    "seq 3 | sed '2c two'; seq 3 | sed -n '2{p}'; echo $?; seq 4 | sed -n '/2/,/3/{s/^/x/;p}'; seq 3 | sed '2!{s/$/!/}'",
    "echo abc | sed 's/b*/x/g'; echo abc | sed 's/x*/-/g'; echo 'aaa bbb' | sed 's/b/X/2'",
    "echo 'path/to/file.txt' | sed 's#/#_#g'; echo 'a.b.c' | sed 's/\\./-/2'; echo TeSt | sed 's/test/ok/I'",
    "echo x > f; sha256sum f f | cut -c1-8; md5sum - < f; sha256sum < f",
    "printf 'a\\nA\\nb\\n' | sort -f; printf '1\\n1\\n2\\n' | uniq -c",
    "printf 'foo\\n' > f; grep -l foo f nope; echo $?; grep -q foo nope f; echo $?; grep -L foo f; echo $?",
    "printf 'a\\tb\\tc\\n' > f; cut -f 2- f; cut -f 3 f; cut -d 'b' -f 1 f | tr '\\t' T",
    "echo '' | wc -w; printf 'a\\n' | wc -c; printf '\\n\\n' | wc -l; wc < /dev/null",
    "date -u -d @1700000000 '+%s %e %k %l %p %I %C %y %D %R %T %Z %z'",
    // directories given as files
    "mkdir d; grep x d; echo $?; cat d; echo $?; wc d; echo $?; sort d; sed p d; cut -f1 d; tail d; echo $?; sha256sum d; md5sum d; echo $?",
    // a small job
    "mkdir -p build/out; printf 'name=demo\\nversion=1.2\\n' > build/cfg; \
     v=$(grep '^version=' build/cfg | cut -d= -f2); echo \"v$v\" > build/out/VERSION; \
     sed -i 's/demo/app/' build/cfg; cp -r build dist; rm -rf build; \
     find dist | sort; cat dist/cfg dist/out/VERSION; wc -l dist/cfg; sha256sum dist/out/VERSION",
    // Pathname expansion.
    "mkdir -p d/sub e; touch d/a.txt d/b.txt d/.hidden d/sub/c.txt e/x; echo d/*; echo d/*.txt; echo */*.txt; echo d/.*; echo 'd/*'; echo d/\\*; echo nothing/*; for f in d/?.txt; do echo \"[$f]\"; done; echo d/[ab].txt; echo */; ls d/*.txt | wc -l",
    "mkdir out; printf 'x\n' > out/a; printf 'yy\n' > out/b; for f in out/*; do wc -c \"$f\"; done; cp out/* .; ls; v='out/*'; echo $v; echo \"$v\"",
];

#[tokio::test]
async fn commands_match_busybox() {
    let mut failures = Vec::new();
    for script in SCENARIOS {
        let want = busybox(script);
        let got = ours(script).await;
        if want != got {
            failures.push(format!(
                "script: {script}\n  busybox: {want:?}\n  ours:    {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios differ from busybox:\n{}",
        failures.len(),
        SCENARIOS.len(),
        failures.join("\n")
    );
}
