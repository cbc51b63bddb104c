//! Projection mode: the chair's screen on the meeting room's wall, experts anonymised as
//! 专家A, 专家B… (Expert A, B… in English) in the panel's order, so marks and comments can be
//! discussed without saying who gave them.

use super::state::ChairApp;
use crate::tui::i18n::T;
use std::borrow::Cow;

/// The experts' stand-ins, and what to hide in free text (ids, names, the chair's id).
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    /// Expert id to stand-in, in the panel's order.
    by_id: Vec<(String, String)>,
    /// Text to replace in free text, longest first, with its stand-in.
    hide: Vec<(String, String)>,
}

/// The letters for the `n`-th expert (0-based): A…Z, then AA, AB… (as spreadsheet columns).
pub fn letters(mut n: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(char::from(b'A' + (n % 26) as u8));
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.iter().rev().collect()
}

impl Aliases {
    /// Stand-ins for the experts of `panel` (id, name) in that order; `chair` is the chair's
    /// id, shown as the word for the chair.
    pub fn new(panel: &[(String, String)], chair: &str, lang: crate::tui::i18n::Lang) -> Aliases {
        let mut by_id: Vec<(String, String)> = Vec::new();
        for (id, _) in panel {
            if !by_id.iter().any(|(known, _)| known == id) {
                let alias = T::ChairExpertAlias.fill(lang, &[("n", &letters(by_id.len()))]);
                by_id.push((id.clone(), alias));
            }
        }
        let mut hide: Vec<(String, String)> = Vec::new();
        for (id, name) in panel {
            let alias = by_id
                .iter()
                .find(|(known, _)| known == id)
                .map(|(_, a)| a.clone())
                .unwrap_or_default();
            for word in [id, name] {
                if !word.trim().is_empty() && !hide.iter().any(|(w, _)| w == word) {
                    hide.push((word.clone(), alias.clone()));
                }
            }
        }
        if !chair.trim().is_empty() && !hide.iter().any(|(w, _)| w == chair) {
            hide.push((chair.to_string(), T::ChairChair.get(lang).to_string()));
        }
        // Why: "wang2" must be replaced before "wang" is.
        hide.sort_by_key(|(w, _)| std::cmp::Reverse(w.chars().count()));
        Aliases { by_id, hide }
    }

    /// An expert's stand-in; an expert the panel does not list gets one after the panel's.
    pub fn of(&self, id: &str) -> Cow<'_, str> {
        match self.by_id.iter().find(|(known, _)| known == id) {
            Some((_, a)) => Cow::Borrowed(a),
            None => Cow::Owned(self.hide_in(id).into_owned()),
        }
    }

    /// Free text (a comment, a note, a file name) with every expert's id and name, and the
    /// chair's id, replaced by their stand-ins. An id counts where it stands as a word: not
    /// inside a longer run of ASCII letters and digits ("li" stays in "applicant").
    pub fn hide_in<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for (word, alias) in &self.hide {
            if out.contains(word.as_str()) {
                out = Cow::Owned(replace_words(&out, word, alias));
            }
        }
        out
    }
}

/// `text` with every whole-word occurrence of `word` replaced by `with`.
fn replace_words(text: &str, word: &str, with: &str) -> String {
    let joins = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(found) = text[at..].find(word) {
        let start = at + found;
        let end = start + word.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        let edge = |c: Option<char>, inner: Option<char>| joins(c) && joins(inner);
        // A boundary is needed only where the word itself starts or ends with a word character.
        if edge(before, word.chars().next()) || edge(after, word.chars().next_back()) {
            let step = word.chars().next().map(char::len_utf8).unwrap_or(1);
            out.push_str(&text[at..start + step]);
            at = start + step;
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(with);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

impl ChairApp {
    /// The stand-ins in projection mode, None otherwise. The panel's order is the order the
    /// panel statistics list the experts in; experts only known from a sheet follow.
    pub fn aliases(&self) -> Option<Aliases> {
        if !self.projection {
            return None;
        }
        let mut panel: Vec<(String, String)> = Vec::new();
        if let Some(r) = &self.results {
            panel.extend(r.experts.iter().map(|e| (e.id.clone(), e.name.clone())));
        }
        panel.extend(
            self.handed
                .iter()
                .map(|h| (h.expert.clone(), h.name.clone())),
        );
        Some(Aliases::new(&panel, &self.settings.chair, self.lang()))
    }

    /// `text` as the screen may show it: with people hidden in projection mode.
    pub fn public<'a>(&self, aliases: Option<&Aliases>, text: &'a str) -> Cow<'a, str> {
        match aliases {
            Some(a) => a.hide_in(text),
            None => Cow::Borrowed(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::i18n::Lang;

    #[test]
    fn letters_run_like_spreadsheet_columns() {
        let got: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702]
            .into_iter()
            .map(letters)
            .collect();
        assert_eq!(got, ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn ids_and_names_are_replaced_as_words_in_panel_order() {
        let panel = [
            ("li".to_string(), "李静".to_string()),
            ("wang".to_string(), "王磊".to_string()),
            ("wang2".to_string(), "王二".to_string()),
            ("li".to_string(), "李静".to_string()),
        ];
        let a = Aliases::new(&panel, "zhang", Lang::Zh);
        assert_eq!(a.of("li"), "专家A");
        assert_eq!(a.of("wang"), "专家B");
        assert_eq!(a.of("wang2"), "专家C");
        assert_eq!(
            a.hide_in("wang2 与 wang、李静 (li) 同意; applicant li_x zhang"),
            "专家C 与 专家B、专家A (专家A) 同意; applicant li_x 主席"
        );
        let en = Aliases::new(&panel, "zhang", Lang::En);
        assert_eq!(en.of("wang"), "Expert B");
        assert_eq!(
            en.hide_in("sheet-wang.json by zhang"),
            "sheet-Expert B.json by chair"
        );
    }
}
