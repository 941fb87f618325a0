//! Paged Microsoft Graph lists (<https://learn.microsoft.com/graph/paging>): a response that has
//! more pages carries `@odata.nextLink`; the last page does not, or writes it `null` or empty
//! (ARM's `"nextLink": null`: see [`super::Builder::page_linked`]). An export holds the pages of
//! one list as files in the same folder with the same `@odata.context`, whatever their names.
//!
//! Every page is read as part of the list as it is loaded; each page also reports itself here
//! ([`Page`]). When every file is read, the pages of each list are looked at together: a list
//! none of whose pages lacks `@odata.nextLink` has pages that are not in the export, so its
//! first `@odata.nextLink` becomes a warning and its data a [`Gap`] (the rules that need it
//! are not evaluated instead of being judged on the first pages only). A list whose pages are
//! all there but hold fewer items than its `@odata.count` is reported alike.

use super::LoadDiagnostic;
use crate::model::{Gap, Loc};
use std::collections::HashMap;

/// One page of a Graph list, as its file reports it.
#[derive(Debug, Clone)]
pub struct Page {
    /// The export root the file is in.
    pub root: usize,
    /// The folder of the file, relative to its root (`/`-separated, "" at the root).
    pub folder: String,
    /// What list the page belongs to: the entity of its `@odata.context` (`users`,
    /// `subscribedskus`, `members:<group id>`...).
    pub list: String,
    /// The warning to report at the page's `@odata.nextLink` (positioned), when it has one.
    pub next_link: Option<LoadDiagnostic>,
    /// The collection the list fills and what to record there when pages are missing.
    pub gap: (&'static str, Gap),
    /// The page's `@odata.count`, when it gives one.
    pub count: Option<Count>,
    /// How many elements the page lists, when its format counts them itself (an Azure Resource
    /// Graph result's rows); otherwise they are counted when its file is applied.
    pub rows: Option<usize>,
    /// How many elements the page lists (set when its file is applied).
    pub held: usize,
}

impl Page {
    /// Whether the page has a diagnostic to position in its file's text.
    pub fn to_place(&self) -> bool {
        self.next_link.is_some() || self.count.is_some()
    }
}

/// A list's `@odata.count` (`$count=true`): how many items the whole list has, all pages
/// together ("Count the number of items in a collection", Microsoft Graph query parameters).
/// An Azure Resource Graph query's result gives its `total_records` alike.
#[derive(Debug, Clone)]
pub struct Count {
    /// The count.
    pub expected: u64,
    /// The names its list's format gives the count, the link to a next page and the items.
    pub names: CountNames,
    /// What the list is called in messages (`the users list`).
    pub what: String,
    /// Where the count is: the warning to report when the pages hold fewer items (its message
    /// written then), positioned as the next link is.
    pub at: LoadDiagnostic,
    /// Where the count is, for the gap.
    pub loc: Loc,
}

/// The member names of a paged list that gives its length: the count, the link to a next page,
/// and the array of items.
#[derive(Debug, Clone, Copy)]
pub struct CountNames {
    /// The whole list's length (`@odata.count`).
    pub count: &'static str,
    /// The link to the next page (`@odata.nextLink`).
    pub link: &'static str,
    /// The page's items (`value`).
    pub items: &'static str,
}

/// A Graph list's names (Microsoft Graph paging and `$count`).
pub const GRAPH_COUNT: CountNames = CountNames {
    count: "@odata.count",
    link: "@odata.nextLink",
    items: "value",
};

/// The pages of the export's lists, gathered while files are applied in walk order.
#[derive(Debug, Default)]
pub struct Pages {
    lists: Vec<Vec<Page>>,
    index: HashMap<(usize, String, String), usize>,
}

impl Pages {
    /// Adds a page.
    pub fn add(&mut self, page: Page) {
        let key = (page.root, page.folder.clone(), page.list.clone());
        let next = self.lists.len();
        let i = *self.index.entry(key).or_insert(next);
        if i == next {
            // Most lists are one page (a group's members): room for that one only.
            self.lists.push(Vec::with_capacity(1));
        }
        if let Some(list) = self.lists.get_mut(i) {
            list.push(page);
        }
    }

    /// The lists whose last page is not in the export: for each, the warning at the first
    /// page's `@odata.nextLink` and the gap to record in its collection.
    /// The warnings are taken out of the pages; the pages are left to be freed later, with the
    /// rest of what the assembly needed (a large export has thousands).
    pub fn incomplete(&mut self) -> Vec<(LoadDiagnostic, &'static str, Gap)> {
        self.lists
            .iter_mut()
            .filter(|pages| pages.iter().all(|p| p.next_link.is_some()))
            .filter_map(|pages| {
                let count = pages.len();
                let first = pages.first_mut()?;
                let mut warning = first.next_link.take()?;
                if count > 1 {
                    warning.message.push_str(&format!(
                        " ({count} pages of this list are in the folder and each has an \
                         `@odata.nextLink`: the last page is missing)"
                    ));
                }
                Some((warning, first.gap.0, first.gap.1.clone()))
            })
            .collect()
    }

    /// The lists whose pages are all in the export but hold fewer items than one of them gives
    /// as its `@odata.count`, and have no `@odata.nextLink` to more (a page saved in place of
    /// another, items taken out of `value`): for each, the warning at the count and the gap to
    /// record in its collection, as for a missing page. (Before [`Pages::incomplete`], which
    /// takes out the links it reports.)
    pub fn short(&self) -> Vec<(LoadDiagnostic, &'static str, Gap)> {
        self.lists
            .iter()
            .filter(|pages| pages.iter().any(|p| p.next_link.is_none()))
            .filter_map(|pages| {
                let held: usize = pages.iter().map(|p| p.held).sum();
                let (page, count) = pages
                    .iter()
                    .filter_map(|p| Some((p, p.count.as_ref()?)))
                    .max_by_key(|(_, c)| c.expected)?;
                if held as u64 >= count.expected {
                    return None;
                }
                let (expected, what) = (count.expected, &count.what);
                let CountNames {
                    count: field,
                    link,
                    items,
                } = count.names;
                let mut warning = count.at.clone();
                warning.message = format!(
                    "`{field}` is {expected}, but {what} holds {held} and none of its pages links \
                     to more (`{link}`): it looks cut short (a page saved in place of another, \
                     items taken out of `{items}`); export it again with every page \
                     (docs/exporting.md)"
                );
                let mut gap = page.gap.1.clone();
                gap.reason = format!(
                    "{what} in `{}` gives `{field}` {expected} but holds {held}",
                    count.at.file
                );
                gap.loc = Some(count.loc);
                Some((warning, page.gap.0, gap))
            })
            .collect()
    }
}

/// The folder part of a `/`-separated relative path.
pub fn folder(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(dir, _)| dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::DiagLevel;

    fn page(folder: &str, list: &str, next: bool) -> Page {
        Page {
            root: 0,
            folder: folder.into(),
            list: list.into(),
            next_link: next.then(|| LoadDiagnostic {
                level: DiagLevel::Warning,
                file: format!("{folder}/{list}.json"),
                root: 0,
                line: Some(3),
                column: Some(3),
                message: "more pages".into(),
                snippet: None,
            }),
            rows: None,
            gap: (
                "users",
                Gap {
                    field: None,
                    entity: None,
                    reason: "pages missing".into(),
                    loc: None,
                    in_value: false,
                    unlisted: false,
                },
            ),
            count: None,
            held: 0,
        }
    }

    #[test]
    fn a_list_is_complete_when_one_of_its_pages_has_no_next_link() {
        let mut pages = Pages::default();
        pages.add(page("graph", "users", true));
        pages.add(page("graph", "users", false));
        pages.add(page("graph", "groups", false));
        pages.add(page("graph", "subscribedskus", true));
        pages.add(page("other", "users", true));
        let missing: Vec<String> = pages
            .incomplete()
            .into_iter()
            .map(|(d, _, _)| d.file)
            .collect();
        assert_eq!(missing, ["graph/subscribedskus.json", "other/users.json"]);
    }

    #[test]
    fn folders() {
        assert_eq!(folder("graph/groups/g/members.json"), "graph/groups/g");
        assert_eq!(folder("users.json"), "");
    }
}
