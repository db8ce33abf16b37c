//! Platforms (`linux/arm64/v8`): parsing and normalising as Docker does, and
//! the host's.

use sockerless_core::error::{Error, Result};

use super::catalogue;

/// A pull platform, normalised like containerd's `platforms.Normalize`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Platform {
    pub(crate) os: String,
    pub(crate) architecture: String,
    pub(crate) variant: Option<String>,
}

impl Platform {
    pub(crate) fn host() -> Self {
        Platform {
            os: "linux".into(),
            architecture: catalogue::host_architecture().into(),
            variant: None,
        }
    }

    pub(crate) fn specifier(&self) -> String {
        match &self.variant {
            Some(v) => format!("{}/{}/{v}", self.os, self.architecture),
            None => format!("{}/{}", self.os, self.architecture),
        }
    }
}

pub(crate) const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "illumos",
    "ios",
    "js",
    "linux",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "windows",
];

/// Normalises an architecture and variant; `None` for an unknown architecture.
pub(crate) fn normalize_arch(
    arch: &str,
    variant: Option<&str>,
) -> Option<(String, Option<String>)> {
    let variant = variant.filter(|v| !v.is_empty());
    let v = |s: &str| Some(s.to_string());
    Some(match arch {
        "i386" | "386" => ("386".into(), None),
        "x86_64" | "x86-64" | "amd64" => (
            "amd64".into(),
            variant.filter(|v| *v != "v1").map(str::to_string),
        ),
        "aarch64" | "arm64" => (
            "arm64".into(),
            variant
                .filter(|v| *v != "8" && *v != "v8")
                .map(str::to_string),
        ),
        "armhf" => ("arm".into(), v("v7")),
        "armel" => ("arm".into(), v("v6")),
        "arm" => (
            "arm".into(),
            match variant {
                None | Some("7") | Some("v7") => v("v7"),
                Some("5") | Some("v5") => v("v5"),
                Some("6") | Some("v6") => v("v6"),
                Some("8") | Some("v8") => v("v8"),
                Some(other) => v(other),
            },
        ),
        "ppc64le" | "s390x" | "riscv64" | "mips64le" | "mips64" | "mipsle" | "mips" | "loong64"
        | "ppc64" | "wasm" => (arch.to_string(), variant.map(str::to_string)),
        _ => return None,
    })
}

/// Parses `platform` (`os[/arch[/variant]]`, or a bare arch); 400 when invalid
/// or not a Linux platform.
pub(crate) fn parse_platform(spec: Option<&str>) -> Result<Platform> {
    let Some(spec) = spec.filter(|s| !s.is_empty()) else {
        return Ok(Platform::host());
    };
    let unknown = || {
        Error::bad_request(format!(
            "\"{spec}\": unknown operating system or architecture: invalid argument"
        ))
    };
    let lower = spec.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    if parts.iter().any(|p| {
        p.is_empty()
            || !p
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    }) {
        return Err(unknown());
    }
    let (os, arch, variant) = match parts.as_slice() {
        [one] if KNOWN_OS.contains(one) => (one.to_string(), Platform::host().architecture, None),
        [one] => match normalize_arch(one, None) {
            Some((a, v)) => ("linux".to_string(), a, v),
            None => return Err(unknown()),
        },
        [os, arch] | [os, arch, _] => {
            if !KNOWN_OS.contains(os) {
                return Err(unknown());
            }
            let variant = parts.get(2).copied();
            match normalize_arch(arch, variant) {
                Some((a, v)) => (os.to_string(), a, v),
                None => return Err(unknown()),
            }
        }
        _ => {
            return Err(Error::bad_request(format!(
                "\"{spec}\": cannot parse platform specifier: invalid argument"
            )))
        }
    };
    if os != "linux" {
        return Err(Error::bad_request(format!(
            "image operating system \"{os}\" cannot be used on this platform"
        )));
    }
    Ok(Platform {
        os,
        architecture: arch,
        variant,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms() {
        let host = Platform::host();
        assert_eq!(parse_platform(None).ok(), Some(host));
        let p = parse_platform(Some("linux/arm64/v8")).ok();
        assert_eq!(p.map(|p| p.specifier()), Some("linux/arm64".to_string()));
        let p = parse_platform(Some("linux/arm")).ok();
        assert_eq!(p.map(|p| p.specifier()), Some("linux/arm/v7".to_string()));
        assert!(parse_platform(Some("linux/bogus")).is_err());
        assert!(parse_platform(Some("windows/amd64")).is_err());
        assert!(parse_platform(Some("a/b/c/d")).is_err());
    }
}
