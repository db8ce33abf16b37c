//! Docker's random container name generator and name validation rules.
//!
//! Mirrors moby's `pkg/namesgenerator` (frozen word lists) and the container
//! and volume name patterns from `daemon/names` and `volume/local`.

use rand::RngExt;

/// Adjectives used for the left part of generated names (moby's `left` list).
pub const ADJECTIVES: &[&str] = &[
    "admiring",
    "adoring",
    "affectionate",
    "agitated",
    "amazing",
    "angry",
    "awesome",
    "beautiful",
    "blissful",
    "bold",
    "boring",
    "brave",
    "busy",
    "charming",
    "clever",
    "cool",
    "compassionate",
    "competent",
    "condescending",
    "confident",
    "cranky",
    "crazy",
    "dazzling",
    "determined",
    "distracted",
    "dreamy",
    "eager",
    "ecstatic",
    "elastic",
    "elated",
    "elegant",
    "eloquent",
    "epic",
    "exciting",
    "fervent",
    "festive",
    "flamboyant",
    "focused",
    "friendly",
    "frosty",
    "funny",
    "gallant",
    "gifted",
    "goofy",
    "gracious",
    "great",
    "happy",
    "hardcore",
    "heuristic",
    "hopeful",
    "hungry",
    "infallible",
    "inspiring",
    "intelligent",
    "interesting",
    "jolly",
    "jovial",
    "keen",
    "kind",
    "laughing",
    "loving",
    "lucid",
    "magical",
    "mystifying",
    "modest",
    "musing",
    "naughty",
    "nervous",
    "nice",
    "nifty",
    "nostalgic",
    "objective",
    "optimistic",
    "peaceful",
    "pedantic",
    "pensive",
    "practical",
    "priceless",
    "quirky",
    "quizzical",
    "recursing",
    "relaxed",
    "reverent",
    "romantic",
    "sad",
    "serene",
    "sharp",
    "silly",
    "sleepy",
    "stoic",
    "strange",
    "stupefied",
    "suspicious",
    "sweet",
    "tender",
    "thirsty",
    "trusting",
    "unruffled",
    "upbeat",
    "vibrant",
    "vigilant",
    "vigorous",
    "wizardly",
    "wonderful",
    "xenodochial",
    "youthful",
    "zealous",
    "zen",
];

/// Surnames of notable scientists and hackers (moby's `right` list).
pub const SURNAMES: &[&str] = &[
    "agnesi",
    "albattani",
    "allen",
    "almeida",
    "antonelli",
    "archimedes",
    "ardinghelli",
    "aryabhata",
    "austin",
    "babbage",
    "banach",
    "banzai",
    "bardeen",
    "bartik",
    "bassi",
    "beaver",
    "bell",
    "benz",
    "bhabha",
    "bhaskara",
    "black",
    "blackburn",
    "blackwell",
    "bohr",
    "booth",
    "borg",
    "bose",
    "bouman",
    "boyd",
    "brahmagupta",
    "brattain",
    "brown",
    "buck",
    "burnell",
    "cannon",
    "carson",
    "cartwright",
    "carver",
    "cerf",
    "chandrasekhar",
    "chaplygin",
    "chatelet",
    "chatterjee",
    "chaum",
    "chebyshev",
    "clarke",
    "cohen",
    "colden",
    "cori",
    "cray",
    "curran",
    "curie",
    "darwin",
    "davinci",
    "dewdney",
    "dhawan",
    "diffie",
    "dijkstra",
    "dirac",
    "driscoll",
    "dubinsky",
    "easley",
    "edison",
    "einstein",
    "elbakyan",
    "elgamal",
    "elion",
    "ellis",
    "engelbart",
    "euclid",
    "euler",
    "faraday",
    "feistel",
    "fermat",
    "fermi",
    "feynman",
    "franklin",
    "gagarin",
    "galileo",
    "galois",
    "ganguly",
    "gates",
    "gauss",
    "germain",
    "goldberg",
    "goldstine",
    "goldwasser",
    "golick",
    "goodall",
    "gould",
    "greider",
    "grothendieck",
    "haibt",
    "hamilton",
    "haslett",
    "hawking",
    "hellman",
    "heisenberg",
    "hermann",
    "herschel",
    "hertz",
    "heyrovsky",
    "hodgkin",
    "hofstadter",
    "hoover",
    "hopper",
    "hugle",
    "hypatia",
    "ishizaka",
    "jackson",
    "jang",
    "jemison",
    "jennings",
    "jepsen",
    "johnson",
    "joliot",
    "jones",
    "kalam",
    "kapitsa",
    "kare",
    "keldysh",
    "keller",
    "kepler",
    "khayyam",
    "khorana",
    "kilby",
    "kirch",
    "knuth",
    "kowalevski",
    "lalande",
    "lamarr",
    "lamport",
    "leakey",
    "leavitt",
    "lederberg",
    "lehmann",
    "lewin",
    "lichterman",
    "liskov",
    "lovelace",
    "lumiere",
    "mahavira",
    "margulis",
    "matsumoto",
    "maxwell",
    "mayer",
    "mccarthy",
    "mcclintock",
    "mclaren",
    "mclean",
    "mcnulty",
    "mendel",
    "mendeleev",
    "meitner",
    "meninsky",
    "merkle",
    "mestorf",
    "mirzakhani",
    "montalcini",
    "moore",
    "morse",
    "murdock",
    "moser",
    "napier",
    "nash",
    "neumann",
    "newton",
    "nightingale",
    "nobel",
    "noether",
    "northcutt",
    "noyce",
    "panini",
    "pare",
    "pascal",
    "pasteur",
    "payne",
    "perlman",
    "pike",
    "poincare",
    "poitras",
    "proskuriakova",
    "ptolemy",
    "raman",
    "ramanujan",
    "ride",
    "ritchie",
    "rhodes",
    "robinson",
    "roentgen",
    "rosalind",
    "rubin",
    "saha",
    "sammet",
    "sanderson",
    "satoshi",
    "shamir",
    "shannon",
    "shaw",
    "shirley",
    "shockley",
    "shtern",
    "sinoussi",
    "snyder",
    "solomon",
    "spence",
    "stonebraker",
    "sutherland",
    "swanson",
    "swartz",
    "swirles",
    "taussig",
    "tesla",
    "tharp",
    "thompson",
    "torvalds",
    "tu",
    "turing",
    "varahamihira",
    "vaughan",
    "villani",
    "visvesvaraya",
    "volhard",
    "wescoff",
    "wilbur",
    "wiles",
    "williams",
    "williamson",
    "wilson",
    "wing",
    "wozniak",
    "wright",
    "wu",
    "yalow",
    "yonath",
    "zhukovsky",
];

/// Generates a random `adjective_surname` name the way Docker does.
///
/// `boring_wozniak` is never produced (Steve Wozniak is not boring). When
/// `retry` is greater than zero a random digit `0`-`9` is appended, which
/// Docker uses to resolve collisions.
pub fn generate<R: rand::Rng + ?Sized>(rng: &mut R, retry: u32) -> String {
    let mut name = loop {
        let left = ADJECTIVES[rng.random_range(0..ADJECTIVES.len())];
        let right = SURNAMES[rng.random_range(0..SURNAMES.len())];
        if !(left == "boring" && right == "wozniak") {
            break format!("{left}_{right}");
        }
    };
    if retry > 0 {
        let digit: u32 = rng.random_range(0..10);
        name.push_str(&digit.to_string());
    }
    name
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-'
}

/// Checks `^[a-zA-Z0-9][a-zA-Z0-9_.-]+$` (at least two characters).
fn matches_name_pattern(name: &str) -> bool {
    let bytes = name.as_bytes();
    match bytes.split_first() {
        Some((first, rest)) => {
            is_alnum(*first) && !rest.is_empty() && rest.iter().all(|c| is_name_char(*c))
        }
        None => false,
    }
}

/// Reports whether `name` is a valid container name
/// (`^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$`, as enforced by the Docker daemon).
pub fn is_valid_container_name(name: &str) -> bool {
    matches_name_pattern(name.strip_prefix('/').unwrap_or(name))
}

/// Reports whether `name` is a valid local volume name
/// (`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`).
pub fn is_valid_volume_name(name: &str) -> bool {
    matches_name_pattern(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;
    use std::collections::HashSet;

    #[test]
    fn list_sizes_and_uniqueness() {
        assert_eq!(ADJECTIVES.len(), 108);
        assert_eq!(SURNAMES.len(), 236);
        let a: HashSet<_> = ADJECTIVES.iter().collect();
        let s: HashSet<_> = SURNAMES.iter().collect();
        assert_eq!(a.len(), ADJECTIVES.len());
        assert_eq!(s.len(), SURNAMES.len());
        for w in ADJECTIVES.iter().chain(SURNAMES) {
            assert!(w.bytes().all(|c| c.is_ascii_lowercase()), "{w}");
        }
    }

    #[test]
    fn generated_names_have_expected_shape() {
        let mut rng = StdRng::seed_from_u64(42);
        for retry in [0u32, 1, 5] {
            for _ in 0..2000 {
                let name = generate(&mut rng, retry);
                assert!(is_valid_container_name(&name), "{name}");
                let (left, right) = name.split_once('_').expect("underscore");
                assert!(ADJECTIVES.contains(&left), "{name}");
                let right = if retry > 0 {
                    let (surname, digit) = right.split_at(right.len() - 1);
                    assert!(digit.bytes().all(|c| c.is_ascii_digit()), "{name}");
                    surname
                } else {
                    right
                };
                assert!(SURNAMES.contains(&right), "{name}");
                assert_ne!(name, "boring_wozniak");
            }
        }
    }

    #[test]
    fn generate_is_deterministic_for_a_seed() {
        let mut a = StdRng::seed_from_u64(7);
        let mut b = StdRng::seed_from_u64(7);
        assert_eq!(generate(&mut a, 0), generate(&mut b, 0));
    }

    #[test]
    fn container_name_validation() {
        let cases: &[(&str, bool)] = &[
            ("web", true),
            ("/web", true),
            ("ab", true),
            ("a", false),
            ("/a", false),
            ("", false),
            ("/", false),
            ("//web", false),
            ("my_app.v1-2", true),
            ("_web", false),
            ("-web", false),
            (".web", false),
            ("9lives", true),
            ("web app", false),
            ("web/app", false),
            ("wéb", false),
            ("web:1", false),
        ];
        for (name, want) in cases {
            assert_eq!(is_valid_container_name(name), *want, "{name:?}");
        }
    }

    #[test]
    fn volume_name_validation() {
        let cases: &[(&str, bool)] = &[
            ("data", true),
            ("/data", false),
            ("d", false),
            ("my-vol_1.2", true),
            ("", false),
            ("vol/x", false),
            ("-vol", false),
        ];
        for (name, want) in cases {
            assert_eq!(is_valid_volume_name(name), *want, "{name:?}");
        }
    }
}
