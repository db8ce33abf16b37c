//! `sleep`: real (tokio) time, so tests pause the clock; `infinity` never
//! ends.

use std::time::Duration;

use crate::interp::io::Io;
use crate::interp::shell::{Flow, Shell};

impl Shell {
    /// `sleep N[smhd]…`: the sum of the operands.
    pub(super) async fn sleep(&mut self, args: &[String], io: &mut Io<'_, '_>) -> Flow {
        if args.is_empty() {
            io.err("sleep: missing operand\n");
            return Flow::Normal(1);
        }
        let mut total = Duration::ZERO;
        let mut forever = false;
        for arg in args {
            match parse_sleep(arg) {
                Ok(Some(d)) => match total.checked_add(d) {
                    Some(t) => total = t,
                    None => forever = true,
                },
                Ok(None) => forever = true,
                Err(()) => {
                    io.err(format!("sleep: invalid time interval '{arg}'\n"));
                    return Flow::Normal(1);
                }
            }
        }
        if forever {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(total).await;
        Flow::Normal(0)
    }
}

/// Parses a `sleep` operand: `Ok(None)` is infinity.
pub(crate) fn parse_sleep(arg: &str) -> Result<Option<Duration>, ()> {
    let lower = arg.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity") {
        return Ok(None);
    }
    let (num, mult) = match lower.char_indices().last() {
        Some((i, 's')) => (&lower[..i], 1.0),
        Some((i, 'm')) => (&lower[..i], 60.0),
        Some((i, 'h')) => (&lower[..i], 3600.0),
        Some((i, 'd')) => (&lower[..i], 86400.0),
        _ => (lower.as_str(), 1.0),
    };
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(());
    }
    let secs: f64 = num.parse().map_err(|_| ())?;
    Ok(Duration::try_from_secs_f64(secs * mult).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::testkit::*;
    use crate::interp::{ProcessContext, Program, UnknownCommand};

    #[tokio::test(start_paused = true)]
    async fn sleep_cases() {
        check(vec![
            // sleep
            case(&["sleep", "x"], "", "sleep: invalid time interval 'x'\n", 1),
            case(&["sleep"], "", "sleep: missing operand\n", 1),
            script("sleep 0.5 && sleep 1m && echo done", "done\n", "", 0),
            script("sleep infinity & echo bg", "bg\n", "", 0),
        ])
        .await;
    }

    #[tokio::test(start_paused = true)]
    async fn sleeping() {
        let ctx = ProcessContext::default();
        let start = tokio::time::Instant::now();
        let got = run_with(&["sleep", "5"], UnknownCommand::RunForever, &ctx, None).await;
        assert_eq!(got.2, 0);
        assert_eq!(start.elapsed(), Duration::from_secs(5));

        let durations = [
            ("1.5", Some(1500)),
            ("2s", Some(2000)),
            ("1m", Some(60_000)),
            ("1h", Some(3_600_000)),
            ("1d", Some(86_400_000)),
            ("infinity", None),
            ("inf", None),
        ];
        for (arg, ms) in durations {
            let want = ms.map(Duration::from_millis);
            assert_eq!(parse_sleep(arg), Ok(want), "{arg}");
        }
        assert_eq!(parse_sleep("-1"), Err(()));
        assert_eq!(parse_sleep("nan"), Err(()));
        assert_eq!(parse_sleep("1y"), Err(()));

        let forever: Vec<Vec<&str>> = vec![
            vec!["sleep", "infinity"],
            vec!["tail", "-f", "/dev/null"],
            vec!["nginx", "-g", "daemon off;"],
            vec!["sh", "-c", "echo started; sleep infinity"],
            vec!["sh", "-c", "exec postgres"],
            vec!["sh", "-c", "sleep 1 && tail -F /var/log/x"],
        ];
        for argv in forever {
            assert!(
                Program::parse(&owned(&argv), UnknownCommand::RunForever).runs_forever(&ctx),
                "{argv:?}"
            );
            let res = tokio::time::timeout(
                Duration::from_secs(365 * 86_400),
                run_with(&argv, UnknownCommand::RunForever, &ctx, None),
            )
            .await;
            assert!(res.is_err(), "{argv:?} completed");
        }
    }
}
