//! How a shell was invoked: `sh [-ex] [-o opt] -c SCRIPT [NAME ARGS…]`, a
//! script read from stdin, or a script file (which we cannot open).

use super::ast::{ParseError, Script};
use super::parser::parse;

/// A parsed shell command line.
#[derive(Debug, Clone)]
pub(crate) struct Invocation {
    /// `argv[0]` as invoked.
    pub(crate) path: String,
    /// `$0`.
    pub(crate) name: String,
    /// `$0` was given (`sh -c SCRIPT NAME`, `sh FILE`): error messages
    /// carry line numbers.
    pub(crate) named: bool,
    pub(crate) params: Vec<String>,
    pub(crate) errexit: bool,
    pub(crate) xtrace: bool,
    /// `-o pipefail`.
    pub(crate) pipefail: bool,
    /// `-u`, `-o nounset`.
    pub(crate) nounset: bool,
    pub(crate) source: Source,
}

/// Where the shell's script comes from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    Script(Result<Script, ParseError>),
    Stdin,
    File(String),
    Usage(String),
}

/// Whether a command name (without its path) is a shell we simulate.
pub(crate) fn is_shell(name: &str) -> bool {
    matches!(name, "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh")
}

/// Parses a shell's argv; option errors become [`Source::Usage`].
pub(crate) fn parse_invocation(argv: &[String]) -> Invocation {
    let path = argv.first().cloned().unwrap_or_else(|| "sh".into());
    let mut inv = Invocation {
        path: path.clone(),
        name: path.clone(),
        named: false,
        params: Vec::new(),
        errexit: false,
        xtrace: false,
        pipefail: false,
        nounset: false,
        source: Source::Stdin,
    };
    let (mut command, mut from_stdin) = (false, false);
    let mut i = 1;
    while let Some(arg) = argv.get(i) {
        if arg == "--" || arg == "-" {
            i += 1;
            break;
        }
        if arg.starts_with("--") {
            i += 1; // --login, --norc, --posix…
            continue;
        }
        let (on, flags) = if let Some(f) = arg.strip_prefix('-') {
            (true, f)
        } else if let Some(f) = arg.strip_prefix('+') {
            (false, f)
        } else {
            break;
        };
        i += 1;
        for flag in flags.chars() {
            match flag {
                'c' => command = true,
                's' => from_stdin = true,
                'e' => inv.errexit = on,
                'x' => inv.xtrace = on,
                'u' => inv.nounset = on,
                'o' => {
                    match argv.get(i).map(String::as_str) {
                        Some("errexit") => inv.errexit = on,
                        Some("xtrace") => inv.xtrace = on,
                        Some("pipefail") => inv.pipefail = on,
                        Some("nounset") => inv.nounset = on,
                        _ => {}
                    }
                    i += 1;
                }
                'i' | 'l' | 'v' | 'a' | 'f' | 'n' | 'h' | 'm' | 'b' | 'C' | 'E' | 'p' | 'T'
                | 'B' | 'H' | 'P' | 'k' | 't' => {}
                other => {
                    inv.source = Source::Usage(format!("{path}: illegal option -{other}\n"));
                    return inv;
                }
            }
        }
    }
    let rest = argv.get(i..).unwrap_or_default();
    if command {
        let Some(text) = rest.first() else {
            inv.source = Source::Usage(format!("{path}: -c requires an argument\n"));
            return inv;
        };
        if let Some(name) = rest.get(1) {
            inv.name = name.clone();
            inv.named = true;
        }
        inv.params = rest.get(2..).unwrap_or_default().to_vec();
        inv.source = Source::Script(parse(text, 1));
    } else if from_stdin || rest.is_empty() {
        inv.params = rest.to_vec();
    } else {
        inv.name = rest[0].clone();
        inv.named = true;
        inv.params = rest[1..].to_vec();
        inv.source = Source::File(rest[0].clone());
    }
    inv
}

#[cfg(test)]
mod tests {
    use crate::interp::testkit::*;

    #[tokio::test(start_paused = true)]
    async fn invocations() {
        check(vec![
            // positional parameters
            case(
                &["sh", "-c", "echo $0 $1 $2 $#", "me", "a", "b"],
                "me a b 2\n",
                "",
                0,
            ),
            case(&["sh", "-c", "nope"], "", "sh: nope: not found\n", 127),
            case(
                &["sh", "-c", "echo a\nnope", "x"],
                "a\n",
                "x: line 1: nope: not found\n",
                127,
            ),
            case(
                &["sh", "-c", "exit x", "x"],
                "",
                "x: exit: line 0: Illegal number: x\n",
                2,
            ),
            case(
                &["sh", "-c", "echo \"a", "x"],
                "",
                "x: line 0: syntax error: unterminated quoted string\n",
                2,
            ),
            case(
                &["sh", "-c", "echo a\nexit x"],
                "a\n",
                "sh: exit: line 1: Illegal number: x\n",
                2,
            ),
            // invocation errors
            case(
                &["sh", "script.sh"],
                "",
                "sh: can't open 'script.sh': No such file or directory\n",
                2,
            ),
            case(&["sh", "-c"], "", "sh: -c requires an argument\n", 2),
            case(
                &["sh", "-Z", "-c", "true"],
                "",
                "sh: illegal option -Z\n",
                2,
            ),
        ])
        .await;
    }
}
