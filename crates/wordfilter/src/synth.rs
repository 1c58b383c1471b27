//! Deterministic synthetic word lists and chat messages, for benchmarks and
//! for `groupcart bench filter`. Same seed, same data, on every platform.

use crate::{Action, Entry};

/// A small deterministic PRNG (SplitMix64), so the crate needs no `rand`.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// `true` with probability `percent`/100.
    pub fn percent(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// A random element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const LATIN_C: &[u8] = b"bcdfghjklmnprstvwxz";
const LATIN_V: &[u8] = b"aeiouy";
const CYR_C: &[char] = &[
    'б', 'в', 'г', 'д', 'ж', 'з', 'к', 'л', 'м', 'н', 'п', 'р', 'с', 'т', 'ф', 'х', 'ц', 'ч', 'ш',
    'щ',
];
const CYR_V: &[char] = &['а', 'е', 'и', 'о', 'у', 'ы', 'э', 'ю', 'я'];

fn latin_word(rng: &mut Rng) -> String {
    let mut w = String::new();
    for _ in 0..3 + rng.below(2) {
        w.push(*rng.pick(LATIN_C) as char);
        w.push(*rng.pick(LATIN_V) as char);
        if rng.percent(30) {
            w.push(*rng.pick(LATIN_C) as char);
        }
    }
    w
}

fn cyrillic_word(rng: &mut Rng) -> String {
    let mut w = String::new();
    for _ in 0..3 {
        w.push(*rng.pick(CYR_C));
        w.push(*rng.pick(CYR_V));
        if rng.percent(30) {
            w.push(*rng.pick(CYR_C));
        }
    }
    w
}

fn cjk_word(rng: &mut Rng) -> String {
    (0..2 + rng.below(3))
        .filter_map(|_| char::from_u32(0x4E00 + rng.below(0x9FA5 - 0x4E00) as u32))
        .collect()
}

fn action(rng: &mut Rng) -> Action {
    match rng.below(100) {
        0..=69 => Action::Delete,
        70..=79 => Action::Warn,
        80..=89 => Action::HoldForReview,
        90..=96 => Action::Mute,
        _ => Action::Ban,
    }
}

/// `n` synthetic entries: 40 % CJK words of 2–4 ideographs, 40 % Latin
/// pseudo-words of 6–12 letters (a tenth of them two-word phrases, 30 %
/// whole-word), 20 % Cyrillic pseudo-words of 6–9 letters (a third
/// whole-word).
pub fn entries(n: usize, seed: u64) -> Vec<Entry<Action>> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let act = action(&mut rng);
            match i % 10 {
                0..=3 => Entry::new(cjk_word(&mut rng), act),
                4..=7 => {
                    let mut w = latin_word(&mut rng);
                    if rng.percent(10) {
                        w.push(' ');
                        w.push_str(&latin_word(&mut rng));
                    }
                    if rng.percent(30) {
                        Entry::whole_word(w, act)
                    } else {
                        Entry::new(w, act)
                    }
                }
                _ => {
                    let w = cyrillic_word(&mut rng);
                    if rng.percent(33) {
                        Entry::whole_word(w, act)
                    } else {
                        Entry::new(w, act)
                    }
                }
            }
        })
        .collect()
}

const EN: &[&str] = &[
    "hi",
    "hello",
    "thanks",
    "price",
    "how",
    "much",
    "is",
    "this",
    "still",
    "available",
    "shipping",
    "to",
    "can",
    "you",
    "send",
    "a",
    "photo",
    "please",
    "ok",
    "great",
    "order",
    "delivery",
    "tomorrow",
    "I",
    "want",
    "two",
    "size",
    "color",
    "black",
    "white",
    "the",
    "and",
    "for",
    "my",
    "new",
    "used",
    "good",
    "condition",
    "pickup",
    "today",
    "pay",
    "cash",
    "card",
    "discount",
    "sale",
    "link",
    "group",
    "admin",
    "question",
    "where",
    "when",
    "what",
    "yes",
    "no",
    "sure",
    "👍",
    "😊",
    "🔥",
    "!",
    "?",
    "...",
    "$25",
    "100",
    "A55",
    "iPhone",
    "15",
    "Pro",
    "Max",
    "class",
    "glass",
    "assets",
    "pass",
    "@seller_bot",
    "https://t.me/groupcart",
    "Thanks!",
    "OK,",
    "lol",
    "it's",
    "don't",
    "10am",
    "4pm",
    "5G",
    "2nd",
    "€30",
    "#deal",
];
const RU: &[&str] = &[
    "привет",
    "сколько",
    "стоит",
    "доставка",
    "есть",
    "в",
    "наличии",
    "спасибо",
    "хорошо",
    "заказ",
    "размер",
    "цвет",
    "черный",
    "белый",
    "можно",
    "фото",
    "когда",
    "где",
    "да",
    "нет",
    "скидка",
    "купить",
    "продам",
    "новый",
    "оплата",
    "картой",
    "сегодня",
    "завтра",
    "Москва",
    "СРОЧНО",
    "500₽",
    "ок",
    "👍",
];
const ZH: &[&str] = &[
    "你好",
    "多少钱",
    "还有货吗",
    "包邮吗",
    "谢谢",
    "好的",
    "请问",
    "什么时候发货",
    "我要两个",
    "颜色",
    "尺码",
    "黑色",
    "白色",
    "可以",
    "优惠",
    "便宜",
    "一点",
    "群主",
    "链接",
    "今天",
    "明天",
    "付款",
    "支付宝",
    "微信",
    "到了",
    "质量",
    "不错",
    "推荐",
    "，",
    "。",
    "？",
    "！",
    "😂",
    "100元",
];
const AR: &[&str] = &[
    "مرحبا",
    "كم",
    "السعر",
    "شكرا",
    "متوفر",
    "التوصيل",
    "اليوم",
    "نعم",
    "لا",
    "ممتاز",
    "غدا",
    "؟",
];

/// Writes `word` (an entry's text) disguised the way spammers do.
fn disguise(word: &str, rng: &mut Rng) -> String {
    let chars: Vec<char> = word.chars().collect();
    let join = |sep: &str| {
        chars
            .iter()
            .map(char::to_string)
            .collect::<Vec<_>>()
            .join(sep)
    };
    match rng.below(7) {
        0 => word.to_owned(),
        1 => word.to_uppercase(),
        2 => join(" "),
        3 => join("."),
        4 => chars
            .iter()
            .map(|&c| match c {
                '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
                c => c,
            })
            .collect(),
        5 => join("\u{200B}"),
        _ => join("*"),
    }
}

/// Longest synthetic message, in characters.
const MAX_CHARS: usize = 200;

/// `n` synthetic chat messages of 10–200 characters (70 % up to 60): half
/// English, a fifth each Russian and Chinese, a tenth Arabic, with emoji,
/// prices, links and mentions. About 3 % carry a disguised word from
/// `entries` (spaced, dotted, upper-case, full-width, zero-width…); the rest
/// are clean apart from accidental hits.
pub fn messages<A>(n: usize, seed: u64, entries: &[Entry<A>]) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let target = match rng.below(100) {
                0..=69 => 10 + rng.below(51),
                70..=94 => 60 + rng.below(81),
                _ => 140 + rng.below(61),
            };
            let (vocab, sep) = match rng.below(10) {
                0..=4 => (EN, " "),
                5..=6 => (RU, " "),
                7..=8 => (ZH, ""),
                _ => (AR, " "),
            };
            let mut msg = String::new();
            let mut len = 0;
            let inject = !entries.is_empty() && rng.percent(3);
            let inject_at = rng.below(target / 2 + 1);
            let mut injected = false;
            while len < target {
                let piece = if inject && !injected && len >= inject_at {
                    injected = true;
                    let word = &rng.pick(entries).word;
                    format!(" {} ", disguise(word, &mut rng))
                } else {
                    (*rng.pick(vocab)).to_owned()
                };
                let sep = if msg.is_empty() { "" } else { sep };
                let add = sep.chars().count() + piece.chars().count();
                if len > 0 && len + add > MAX_CHARS {
                    break;
                }
                msg.push_str(sep);
                msg.push_str(&piece);
                len += add;
            }
            msg
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic() {
        let a = entries(100, 7);
        assert_eq!(a, entries(100, 7));
        assert_eq!(messages(50, 1, &a), messages(50, 1, &a));
        let m = messages(500, 1, &a);
        assert!(m
            .iter()
            .all(|m| (10..=MAX_CHARS).contains(&m.chars().count())));
    }
}
