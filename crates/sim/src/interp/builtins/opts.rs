//! Option parsing as busybox's `getopt32` does it: flags may be bundled
//! (`-rf`), options and operands may mix (GNU permutation), `--` ends the
//! options, `-` alone is an operand, and a flag taking a value takes the rest
//! of its word or the next argument (`-n3`, `-n 3`).

/// Parsed arguments: the flags seen, in order, and the operands.
#[derive(Debug, Default)]
pub(crate) struct Opts {
    pub(crate) flags: Vec<(char, Option<String>)>,
    pub(crate) operands: Vec<String>,
}

impl Opts {
    /// Whether flag `c` was given.
    pub(crate) fn has(&self, c: char) -> bool {
        self.flags.iter().any(|(f, _)| *f == c)
    }

    /// The last value of flag `c`.
    pub(crate) fn value(&self, c: char) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(f, _)| *f == c)
            .and_then(|(_, v)| v.as_deref())
    }

    /// Every value of flag `c`, in order.
    pub(crate) fn values(&self, c: char) -> Vec<&str> {
        self.flags
            .iter()
            .filter(|(f, _)| *f == c)
            .filter_map(|(_, v)| v.as_deref())
            .collect()
    }
}

/// Parses `args` by `spec` (getopt's: `"rfn:"`, a `:` after a flag that
/// takes a value). The error is busybox's text after `CMD: `.
pub(crate) fn getopt(args: &[String], spec: &str) -> Result<Opts, String> {
    let mut opts = Opts::default();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        i += 1;
        if arg == "--" {
            opts.operands.extend(args[i..].iter().cloned());
            break;
        }
        let Some(flags) = arg.strip_prefix('-').filter(|f| !f.is_empty()) else {
            opts.operands.push(arg.clone());
            continue;
        };
        for (at, c) in flags.char_indices() {
            let Some(pos) = spec.find(c).filter(|_| c != ':') else {
                return Err(format!("invalid option -- '{c}'"));
            };
            if spec[pos + c.len_utf8()..].starts_with(':') {
                let rest = &flags[at + c.len_utf8()..];
                let value = if !rest.is_empty() {
                    rest.to_string()
                } else if let Some(v) = args.get(i) {
                    i += 1;
                    v.clone()
                } else {
                    return Err(format!("option requires an argument -- '{c}'"));
                };
                opts.flags.push((c, Some(value)));
                break;
            }
            opts.flags.push((c, None));
        }
    }
    Ok(opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn bundles_values_and_permutation() {
        let o = getopt(
            &args(&["-rf", "a", "-n3", "-", "-e", "x", "--", "-q"]),
            "rfn:e:",
        )
        .unwrap();
        assert!(o.has('r') && o.has('f'));
        assert_eq!(o.value('n'), Some("3"));
        assert_eq!(o.values('e'), vec!["x"]);
        assert_eq!(o.operands, args(&["a", "-", "-q"]));
        assert_eq!(
            getopt(&args(&["-z"]), "r").unwrap_err(),
            "invalid option -- 'z'"
        );
        assert_eq!(
            getopt(&args(&["-n"]), "n:").unwrap_err(),
            "option requires an argument -- 'n'"
        );
    }
}
