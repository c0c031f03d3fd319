//! `slotline plugin new NAME --lang rust|js|python`: a plugin project that builds, passes its
//! own test against the Cal.com simulator, and uploads, before its author changes a line.
//!
//! The templates (`templates/plugin`) and the WIT package are compiled into the binary (see
//! `build.rs`), so the project matches the plugin world of the gateway that wrote it. The
//! project is written into a sibling directory first and renamed into place, so a failure
//! leaves nothing half-written behind.

use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/plugin_templates.rs"));

/// The language a plugin is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// Rust with wit-bindgen (`cargo build --target wasm32-wasip2`).
    Rust,
    /// JavaScript with componentize-js (npm).
    Js,
    /// Python with componentize-py (pip, in a virtual environment).
    Python,
}

impl Lang {
    /// As `--lang` spells it, and its directory under `templates/plugin`.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Rust => "rust",
            Lang::Js => "js",
            Lang::Python => "python",
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The project's name: lower-case letters, digits and `-`, starting with a letter; also
    /// its directory unless `--dir` says otherwise.
    pub name: String,
    #[arg(long, value_enum)]
    pub lang: Lang,
    /// Where to create the project (default: ./NAME). It must not exist yet.
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NewPluginError {
    #[error(
        "{0:?} is not a plugin name: use 1-64 lower-case letters, digits and `-`, starting with a letter and not ending with `-`"
    )]
    Name(String),
    #[error("{} exists already; choose another name or --dir", .0.display())]
    Exists(PathBuf),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What was created.
#[derive(Debug)]
pub struct Created {
    pub dir: PathBuf,
    pub files: usize,
}

/// Writes the project for `args`.
pub fn create(args: &NewArgs) -> Result<Created, NewPluginError> {
    if !is_name(&args.name) {
        return Err(NewPluginError::Name(args.name.clone()));
    }
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(&args.name));
    if dir.exists() {
        return Err(NewPluginError::Exists(dir));
    }
    let files = project(args.lang, &args.name);
    let partial = partial_dir(&dir);
    let written = write_all(&partial, &files).and_then(|()| {
        std::fs::rename(&partial, &dir).map_err(|source| NewPluginError::Write {
            path: dir.clone(),
            source,
        })
    });
    if written.is_err() {
        // Best effort: the error names what failed, the leftover would only confuse.
        let _ = std::fs::remove_dir_all(&partial);
    }
    written.map(|()| Created {
        dir,
        files: files.len(),
    })
}

/// The project's files: path in the project, contents, executable.
fn project(lang: Lang, name: &str) -> Vec<(String, Vec<u8>, bool)> {
    let own = format!("{}/", lang.name());
    FILES
        .iter()
        .filter_map(|(group, path, bytes)| {
            let target = match *group {
                "wit" => format!("wit/{path}"),
                _ => {
                    let rest = path
                        .strip_prefix("common/")
                        .or_else(|| path.strip_prefix(own.as_str()))?;
                    // A dot file in the repository would be taken for the repository's own.
                    match rest.strip_prefix("gitignore") {
                        Some("") => ".gitignore".to_owned(),
                        _ => rest.to_owned(),
                    }
                }
            };
            // The WIT is copied as it is; templates name the project.
            let contents = match (*group, std::str::from_utf8(bytes)) {
                ("template", Ok(text)) => text.replace("{{name}}", name).into_bytes(),
                _ => bytes.to_vec(),
            };
            Some((target.clone(), contents, target.ends_with(".sh")))
        })
        .collect()
}

fn is_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (1..=64).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && !name.ends_with('-')
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

fn partial_dir(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

fn write_all(root: &Path, files: &[(String, Vec<u8>, bool)]) -> Result<(), NewPluginError> {
    let failed = |path: &Path| {
        let path = path.to_owned();
        move |source| NewPluginError::Write { path, source }
    };
    for (relative, contents, executable) in files {
        let path = root.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(failed(parent))?;
        }
        std::fs::write(&path, contents).map_err(failed(&path))?;
        if *executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .map_err(failed(&path))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        for good in ["salon", "acme-rules", "a", "clinic2"] {
            assert!(is_name(good), "{good}");
        }
        for bad in [
            "",
            "Salon",
            "2salon",
            "salon-",
            "sa lon",
            "sa_lon",
            "../x",
            &"a".repeat(65),
        ] {
            assert!(!is_name(bad), "{bad}");
        }
    }

    #[test]
    fn every_language_gets_the_wit_the_tests_and_its_own_files_only() {
        for (lang, own, others) in [
            (
                Lang::Rust,
                "Cargo.toml",
                ["package.json", "requirements.txt"],
            ),
            (Lang::Js, "package.json", ["Cargo.toml", "requirements.txt"]),
            (
                Lang::Python,
                "requirements.txt",
                ["Cargo.toml", "package.json"],
            ),
        ] {
            let files = project(lang, "acme-rules");
            let has = |path: &str| files.iter().any(|(p, _, _)| p == path);
            for path in [
                "wit/slotline.wit",
                "wit/deps/http/http.wit",
                "test.sh",
                "build.sh",
                "README.md",
                ".gitignore",
                own,
            ] {
                assert!(has(path), "{lang:?} lacks {path}");
            }
            for path in others {
                assert!(!has(path), "{lang:?} has {path}");
            }
            for (path, contents, executable) in &files {
                assert_eq!(*executable, path.ends_with(".sh"), "{path}");
                if !path.starts_with("wit/") {
                    let text = String::from_utf8_lossy(contents);
                    assert!(
                        !text.contains("{{name}}"),
                        "{lang:?} {path} keeps a placeholder"
                    );
                }
            }
            let wit = files.iter().find(|(p, _, _)| p == "wit/slotline.wit");
            let on_disk =
                std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../wit/slotline.wit"));
            assert_eq!(wit.map(|(_, c, _)| c.clone()), on_disk.ok());
        }
    }

    #[test]
    fn a_project_is_written_whole_and_never_over_another() -> Result<(), Box<dyn std::error::Error>>
    {
        use std::os::unix::fs::PermissionsExt;
        let root = std::env::temp_dir().join(format!("slotline-new-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root)?;
        let args = NewArgs {
            name: "acme-rules".to_owned(),
            lang: Lang::Rust,
            dir: Some(root.join("acme")),
        };
        let created = create(&args)?;
        let manifest = std::fs::read_to_string(created.dir.join("Cargo.toml"))?;
        assert!(manifest.contains("name = \"acme-rules\""), "{manifest}");
        let mode = std::fs::metadata(created.dir.join("test.sh"))?
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111);
        assert!(matches!(create(&args), Err(NewPluginError::Exists(_))));
        let leftovers: Vec<_> = std::fs::read_dir(&root)?
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("acme")]);
        std::fs::remove_dir_all(&root)?;
        Ok(())
    }
}
