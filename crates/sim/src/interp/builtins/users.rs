//! Users and groups for `id` and `whoami`: a few well-known accounts
//! (`root`, `daemon`, `bin`, `sys`, `www-data`, `nobody`); other names get
//! uid/gid 1000, other numeric ids have no name.

use crate::interp::io::Io;

/// Resolved identity of a user spec.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ident {
    uid: u32,
    uname: Option<String>,
    gid: u32,
    gname: Option<String>,
}

/// Name, uid and primary gid of the users we know.
const KNOWN_USERS: &[(&str, u32, u32)] = &[
    ("root", 0, 0),
    ("daemon", 1, 1),
    ("bin", 2, 2),
    ("sys", 3, 3),
    ("www-data", 33, 33),
    ("nobody", 65534, 65534),
];

/// Name and gid of the groups we know.
const KNOWN_GROUPS: &[(&str, u32)] = &[
    ("root", 0),
    ("daemon", 1),
    ("bin", 2),
    ("sys", 3),
    ("www-data", 33),
    ("nogroup", 65534),
];

/// The name of a known group.
fn group_name(gid: u32) -> Option<String> {
    KNOWN_GROUPS
        .iter()
        .find(|g| g.1 == gid)
        .map(|g| g.0.to_string())
}

/// Resolves a Docker `User` spec (`""`, `name`, `uid`, `user:group`).
fn resolve_user(spec: &str) -> Ident {
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let (uid, uname, default_gid) = if user.is_empty() {
        (0, Some("root".to_string()), 0)
    } else if let Ok(n) = user.parse::<u32>() {
        match KNOWN_USERS.iter().find(|u| u.1 == n) {
            Some(k) => (n, Some(k.0.to_string()), k.2),
            None => (n, None, n),
        }
    } else {
        match KNOWN_USERS.iter().find(|u| u.0 == user) {
            Some(k) => (k.1, Some(user.to_string()), k.2),
            None => (1000, Some(user.to_string()), 1000),
        }
    };
    let (gid, gname) = match group.filter(|g| !g.is_empty()) {
        None => {
            let name = group_name(default_gid).or_else(|| {
                uname
                    .clone()
                    .filter(|n| !KNOWN_USERS.iter().any(|k| k.0 == n))
            });
            (default_gid, name)
        }
        Some(g) => match g.parse::<u32>() {
            Ok(n) => (n, group_name(n)),
            Err(_) => match KNOWN_GROUPS.iter().find(|k| k.0 == g) {
                Some(k) => (k.1, Some(g.to_string())),
                None => (default_gid, Some(g.to_string())),
            },
        },
    };
    Ident {
        uid,
        uname,
        gid,
        gname,
    }
}

/// `id(name)`, or `id` alone without a name.
fn with_name(id: u32, name: &Option<String>) -> String {
    match name {
        Some(n) => format!("{id}({n})"),
        None => id.to_string(),
    }
}

/// `id [-u|-g|-G] [-n] [USER]` → (stdout, stderr, status).
fn id(user: &str, args: &[String]) -> (String, String, i32) {
    let (mut u, mut g, mut groups, mut names) = (false, false, false, false);
    let mut operand = None;
    for arg in args {
        match arg.strip_prefix('-') {
            Some(flags) if !flags.is_empty() => {
                for c in flags.chars() {
                    match c {
                        'u' => u = true,
                        'g' => g = true,
                        'G' => groups = true,
                        'n' => names = true,
                        'r' => {}
                        other => {
                            return (
                                String::new(),
                                format!("id: invalid option -- '{other}'\n"),
                                1,
                            )
                        }
                    }
                }
            }
            _ => operand = Some(arg.as_str()),
        }
    }
    let ident = match operand {
        None => resolve_user(user),
        Some(op)
            if KNOWN_USERS.iter().any(|k| k.0 == op)
                || resolve_user(user).uname.as_deref() == Some(op) =>
        {
            if resolve_user(user).uname.as_deref() == Some(op) {
                resolve_user(user)
            } else {
                resolve_user(op)
            }
        }
        Some(op) => return (String::new(), format!("id: '{op}': no such user\n"), 1),
    };
    let pick = |id: u32, name: &Option<String>, what: &str| -> Result<String, String> {
        if !names {
            return Ok(format!("{id}\n"));
        }
        match name {
            Some(n) => Ok(format!("{n}\n")),
            None => Err(format!("id: cannot find name for {what} ID {id}\n")),
        }
    };
    let single = if u {
        Some(pick(ident.uid, &ident.uname, "user"))
    } else if g || groups {
        Some(pick(ident.gid, &ident.gname, "group"))
    } else {
        None
    };
    match single {
        Some(Ok(out)) => (out, String::new(), 0),
        Some(Err(err)) => (String::new(), err, 1),
        None => (
            format!(
                "uid={} gid={} groups={}\n",
                with_name(ident.uid, &ident.uname),
                with_name(ident.gid, &ident.gname),
                with_name(ident.gid, &ident.gname)
            ),
            String::new(),
            0,
        ),
    }
}

/// The `id` builtin for the process's user spec.
pub(super) fn run_id(user: &str, args: &[String], io: &mut Io<'_, '_>) -> i32 {
    let (out, err, status) = id(user, args);
    io.out(out);
    io.err(err);
    status
}

/// The `whoami` builtin: fails for a uid without a name.
pub(super) fn run_whoami(user: &str, io: &mut Io<'_, '_>) -> i32 {
    let ident = resolve_user(user);
    match ident.uname {
        Some(n) => {
            io.out(format!("{n}\n"));
            0
        }
        None => {
            io.err(format!(
                "whoami: cannot find name for user ID {}\n",
                ident.uid
            ));
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::interp::testkit::*;
    use crate::interp::{ProcessContext, UnknownCommand};

    #[tokio::test(start_paused = true)]
    async fn root() {
        check(vec![
            // id / whoami (root)
            case(&["id"], "uid=0(root) gid=0(root) groups=0(root)\n", "", 0),
            case(&["whoami"], "root\n", "", 0),
            case(&["id", "-un"], "root\n", "", 0),
        ])
        .await;
    }

    #[tokio::test]
    async fn users() {
        let cases = [
            ("", "uid=0(root) gid=0(root) groups=0(root)\n", Ok("root")),
            ("0", "uid=0(root) gid=0(root) groups=0(root)\n", Ok("root")),
            ("1000", "uid=1000 gid=1000 groups=1000\n", Err(1000)),
            ("1000:1000", "uid=1000 gid=1000 groups=1000\n", Err(1000)),
            ("1000:50", "uid=1000 gid=50 groups=50\n", Err(1000)),
            (
                "nobody",
                "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n",
                Ok("nobody"),
            ),
            (
                "app",
                "uid=1000(app) gid=1000(app) groups=1000(app)\n",
                Ok("app"),
            ),
            (
                "app:staff",
                "uid=1000(app) gid=1000(staff) groups=1000(staff)\n",
                Ok("app"),
            ),
            (
                "www-data",
                "uid=33(www-data) gid=33(www-data) groups=33(www-data)\n",
                Ok("www-data"),
            ),
        ];
        for (user, id_out, whoami) in cases {
            let ctx = ProcessContext {
                user: user.into(),
                ..ProcessContext::default()
            };
            let got = run_with(&["id"], UnknownCommand::Echo, &ctx, None).await;
            assert_eq!(
                got,
                (id_out.to_string(), String::new(), 0),
                "id for {user:?}"
            );
            let got = run_with(&["whoami"], UnknownCommand::Echo, &ctx, None).await;
            let want = match whoami {
                Ok(name) => (format!("{name}\n"), String::new(), 0),
                Err(uid) => (
                    String::new(),
                    format!("whoami: cannot find name for user ID {uid}\n"),
                    1,
                ),
            };
            assert_eq!(got, want, "whoami for {user:?}");
        }
        let ctx = ProcessContext {
            user: "1000".into(),
            ..ProcessContext::default()
        };
        let got = run_with(&["id", "-u"], UnknownCommand::Echo, &ctx, None).await;
        assert_eq!(got.0, "1000\n");
    }
}
