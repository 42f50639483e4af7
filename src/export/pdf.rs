//! PDF through Typst used as a library: the layout engine of a typesetting system, with its
//! embedded fonts (Libertinus Serif, which covers æ ø å ä ö and is embedded subset in each
//! file), hyphenation per language and no downloads. A template (`typst/*.typ`) lays out the
//! data a module hands over as JSON, read by the template as the virtual file `data.json`;
//! the template never sees the store.

use std::sync::OnceLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::error::{Error, Result};
use crate::organisation::Language;

/// The layouts there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    UnitPlan,
    PersonalPlan,
    HrSummary,
    PersonalData,
}

impl Template {
    fn markup(self) -> &'static str {
        match self {
            Template::UnitPlan => include_str!("typst/unit_plan.typ"),
            Template::PersonalPlan => include_str!("typst/personal_plan.typ"),
            Template::HrSummary => include_str!("typst/hr_summary.typ"),
            Template::PersonalData => include_str!("typst/personal_data.typ"),
        }
    }
}

/// The fonts, parsed once per process (a few milliseconds).
struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        Fonts {
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::default()))
}

fn file_id(path: &str) -> FileId {
    // The paths are this module's own constants.
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("a valid virtual path"),
    )
    .intern()
}

/// One document's world: the template as its main file and the data beside it.
struct Document {
    main: Source,
    data: Bytes,
    data_id: FileId,
}

impl World for Document {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().get_without_slash().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else {
            Err(FileError::NotFound(id.vpath().get_without_slash().into()))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // Templates print the dates they are given; the clock stays outside the layout.
        None
    }
}

fn layout_error(diagnostics: &[SourceDiagnostic]) -> Error {
    // A template error is a bug of the app, never of the user's data (which arrives as JSON
    // strings): keep the message for the log, without the data.
    Error::FileSystem {
        detail: format!(
            "PDF layout failed: {}",
            diagnostics
                .iter()
                .map(|d| d.message.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

/// Lays out `data` with `template` in `language` and returns the PDF's bytes.
pub fn render(template: Template, data: &serde_json::Value, language: Language) -> Result<Vec<u8>> {
    let mut data = data.clone();
    if let Some(map) = data.as_object_mut() {
        map.insert("lang".into(), language.as_str().into());
    }
    let doc = Document {
        main: Source::new(file_id("/main.typ"), template.markup().to_owned()),
        data: Bytes::new(serde_json::to_vec(&data).expect("JSON values serialise")),
        data_id: file_id("/data.json"),
    };
    let compiled = typst::compile(&doc);
    let paged = compiled.output.map_err(|e| layout_error(&e))?;
    let pdf =
        typst_pdf::pdf(&paged, &typst_pdf::PdfOptions::default()).map_err(|e| layout_error(&e));
    // Typst memoises layouts across calls; a batch of thousands of plans would keep every one.
    // Keep what the last few documents used, so the next one of the same kind starts warm.
    typst::comemo::evict(10);
    pdf
}
