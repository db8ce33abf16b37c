//! Where two JSON documents differ: the hostile suites compare a state
//! snapshot taken before a refused request with one taken after it.

use serde_json::Value;

/// The paths at which `a` and `b` differ, each as `path: a → b` (cut at 300
/// characters); empty when they are equal.
pub fn json_diff(a: &Value, b: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk("", a, b, &mut out);
    out
}

fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                walk(
                    &format!("{path}.{k}"),
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                walk(&format!("{path}[{i}]"), p, q, out);
            }
        }
        _ if a != b => {
            let mut t = format!("{path}: {a} → {b}");
            if t.len() > 300 {
                let mut end = 300;
                while !t.is_char_boundary(end) {
                    end -= 1;
                }
                t.truncate(end);
            }
            out.push(t);
        }
        _ => {}
    }
}
