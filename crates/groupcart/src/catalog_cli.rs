//! `groupcart catalog import|export`: the catalog to and from Shopify's product CSV.

use crate::config::Config;
use crate::storage;
use anyhow::{bail, Context, Result};
use chrono::Utc;
use groupcart_catalog_csv::{read_products, write_products, ImportOptions, Parsed};
use groupcart_core::catalog::{self, ProductId, ProductQuery};
use groupcart_core::money::Currency;
use groupcart_core::Error;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;

/// Imports `file`; all or nothing unless `skip_invalid`.
pub async fn import(
    config: &Config,
    file: &Path,
    currency: Currency,
    language: &str,
    skip_invalid: bool,
) -> Result<()> {
    let input =
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let size = input.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = ProgressBar::new(size).with_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("reading");
    let options = ImportOptions {
        currency,
        language: language.to_owned(),
        skip_invalid,
    };
    let Parsed {
        products,
        errors,
        errors_omitted,
        rows,
    } = read_products(std::io::BufReader::new(input), &options, |bytes| {
        bar.set_position(bytes)
    })
    .with_context(|| format!("cannot read {}", file.display()))?;
    bar.finish_and_clear();
    for error in &errors {
        eprintln!("{error}");
    }
    if errors_omitted > 0 {
        eprintln!("… and {errors_omitted} more problems");
    }
    if !errors.is_empty() && !skip_invalid {
        bail!(
            "{} problem(s) in {}; nothing was imported (use --skip-invalid to import the valid products)",
            errors.len() as u64 + errors_omitted,
            file.display()
        );
    }
    let store = storage::open(config).await?;
    let saved =
        match catalog::import_products(store.as_ref(), &products, "import", Utc::now()).await {
            Ok(saved) => saved,
            Err(Error::Fields(fields)) => {
                for f in &fields {
                    eprintln!("{}: {}", f.field, f.message);
                }
                bail!("the file has invalid products; nothing was imported");
            }
            Err(error) => return Err(error.into()),
        };
    let created = saved.iter().filter(|s| s.created).count();
    println!(
        "imported {} products ({} new, {} updated) from {rows} rows{}",
        saved.len(),
        created,
        saved.len() - created,
        if errors.is_empty() {
            String::new()
        } else {
            format!("; {} rows skipped", errors.len())
        }
    );
    Ok(())
}

/// Exports every product to `file` (which must not exist).
pub async fn export(
    config: &Config,
    file: &Path,
    currency: Currency,
    language: &str,
) -> Result<()> {
    if file.exists() {
        bail!("{} exists already; choose a new file", file.display());
    }
    let store = storage::open(config).await?;
    let mut products = Vec::new();
    let mut after: Option<ProductId> = None;
    loop {
        let page = store
            .products(&ProductQuery {
                after,
                limit: 500,
                ..ProductQuery::default()
            })
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        products.extend(page);
    }
    let output = std::fs::File::create_new(file)
        .with_context(|| format!("cannot create {}", file.display()))?;
    write_products(
        std::io::BufWriter::new(output),
        &products,
        currency,
        language,
    )
    .with_context(|| format!("cannot write {}", file.display()))?;
    println!("exported {} products to {}", products.len(), file.display());
    Ok(())
}
