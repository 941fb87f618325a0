//! "did you mean `x`?" suggestions for misspelt names (policy fields, configuration keys,
//! policy ids, tags).

/// `did you mean `c`?` for the candidate closest to `name` by Damerau–Levenshtein distance,
/// ignoring case, when it is within a third of `name`'s length (at least 1, at most 3 edits);
/// None when no candidate is that close. Ties go to the candidate that sorts first.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn close_names_are_suggested_and_far_ones_not() {
        assert_eq!(
            did_you_mean("nmae", ["name", "id"]).as_deref(),
            Some("did you mean `name`?")
        );
        assert_eq!(
            did_you_mean("DEX1O1", ["DEX101", "DEX102"]).as_deref(),
            Some("did you mean `DEX101`?")
        );
        assert_eq!(
            did_you_mean("Licencing", ["licensing"]).as_deref(),
            Some("did you mean `licensing`?")
        );
        assert_eq!(did_you_mean("zzz", ["name"]), None);
    }
}
