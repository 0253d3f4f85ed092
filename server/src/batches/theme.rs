//! A theme change many drafts get at once: colours, corner radius, font scale, the agency's
//! logo; what it leaves out stays as each merchant has it.
use app::error::AppError;
use app::i18n::Lang;
use serde::{Deserialize, Serialize};

/// What a theme change sets; what it leaves out stays as each merchant has it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radius: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font_scale: Option<f32>,
    /// Put the agency's own logo (White label) on every site.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub logo: bool,
}

impl ThemeChange {
    /// Every value that cannot be used, by field, in `lang`.
    pub fn check(&self, lang: Lang) -> Result<(), AppError> {
        for (field, v) in [
            ("primary", &self.primary),
            ("accent", &self.accent),
            ("background", &self.background),
            ("text", &self.text),
        ] {
            if let Some(v) = v {
                if !app::model::validate::is_hex_color(v) {
                    return Err(AppError::invalid(
                        field,
                        match lang {
                            Lang::Zh => format!("“{v}”不是颜色,请写成 #1a1a1a 这样。"),
                            Lang::En => format!("“{v}” is not a colour: write it like #1a1a1a."),
                        },
                    ));
                }
            }
        }
        if self.radius.is_some_and(|r| r > 48) {
            return Err(AppError::invalid(
                "radius",
                match lang {
                    Lang::Zh => "圆角为 0 至 48。",
                    Lang::En => "The corner radius is 0 to 48.",
                },
            ));
        }
        if self.font_scale.is_some_and(|f| !(0.8..=1.4).contains(&f)) {
            return Err(AppError::invalid(
                "font_scale",
                match lang {
                    Lang::Zh => "字号比例为 0.8 至 1.4。",
                    Lang::En => "The font scale is 0.8 to 1.4.",
                },
            ));
        }
        if *self == ThemeChange::default() {
            // Nothing to change (the logo alone is a change).
            return Err(AppError::invalid(
                "theme",
                match lang {
                    Lang::Zh => "请至少修改一项主题设置。",
                    Lang::En => "Change at least one theme setting.",
                },
            ));
        }
        Ok(())
    }

    pub(super) fn apply(&self, t: &mut app::model::theme::ThemeSettings) {
        let set = |to: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                *to = v.to_lowercase();
            }
        };
        set(&mut t.primary, &self.primary);
        set(&mut t.accent, &self.accent);
        set(&mut t.background, &self.background);
        set(&mut t.text, &self.text);
        if let Some(r) = self.radius {
            t.radius = r;
        }
        if let Some(f) = self.font_scale {
            t.font_scale = f;
        }
    }
}
