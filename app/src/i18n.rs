//! Every user-visible string of the shell in English and Simplified Chinese.
//!
//! Keys are an enum and each key must be given both languages (the macro will not compile
//! otherwise), so a missing translation is a build error, not a blank label.
use serde::{Deserialize, Serialize};

/// A UI language. Persisted per user; anonymous visitors get a cookie.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    #[serde(alias = "En")]
    En,
    #[serde(alias = "Zh")]
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// BCP 47 tag, used for `<html lang>` and in cookies and forms.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The language's own name, so a reader of either language can find theirs.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "简体中文",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            "zh" | "zh-cn" | "zh-hans" | "zh-sg" => Some(Lang::Zh),
            _ => None,
        }
    }

    /// Picks the first supported language of an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header.split(',').find_map(|part| {
            let tag = part.split(';').next().unwrap_or("").trim();
            Lang::from_code(tag).or_else(|| {
                let primary = tag.split('-').next().unwrap_or("");
                Lang::from_code(primary)
            })
        })
    }

    pub fn t(self, key: Text) -> &'static str {
        key.text(self)
    }

    /// `text` as a sentence on its own: its first letter a capital (no change in Chinese).
    pub fn sentence(text: &str) -> String {
        let mut chars = text.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }

    /// The text of `key` with its `{name}` placeholders filled in.
    pub fn fill(self, key: Text, args: &[(&str, String)]) -> String {
        let mut text = self.t(key).to_string();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

#[cfg(feature = "ssr")]
pub mod mini_program;

macro_rules! translations {
    ($($key:ident => $en:literal, $zh:literal;)*) => {
        /// A translatable string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Text { $($key),* }

        impl Text {
            pub const ALL: &'static [Text] = &[$(Text::$key),*];

            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Text::$key, Lang::En) => $en, (Text::$key, Lang::Zh) => $zh,)*
                }
            }
        }
    };
}

translations! {
    AppName => "mpforge", "mpforge";
    Tagline => "WeChat mini programs for your business, without code", "无需代码，为您的生意打造微信小程序";
    Loading => "Loading…", "加载中…";
    SwitchLanguage => "Switch language", "切换语言";
    MainNavigation => "Main navigation", "主导航";
    LogIn => "Log in", "登录";
    LogOut => "Log out", "退出登录";
    LoginTitle => "Log in to mpforge", "登录 mpforge";
    LoginField => "Login", "登录名";
    LoginHint => "The login your agency gave you, e.g. name@example.com", "您的服务商提供的登录名，例如 name@example.com";
    Password => "Password", "密码";
    ErrBadCredentials => "That login and password do not match. Check both and try again.", "登录名与密码不匹配，请检查后重试。";
    ErrThrottled => "Too many failed attempts. Try again in {minutes} min.", "失败次数过多，请 {minutes} 分钟后再试。";
    ErrTooLarge => "This is too large to send (at most {max}).", "内容过大，无法发送（最多 {max}）。";
    ErrSiteLimit => "This merchant already has {max} mini programs, the most one merchant can have.", "该商户已有 {max} 个小程序，已达单个商户的上限。";
    ErrMediaQuota => "Your pictures already take {used} of your {quota}. Pictures you no longer use anywhere are cleared a day after upload; your agency can give you more space.", "您的图片已占用 {used}（共 {quota}）。不再使用的图片会在上传一天后自动清理；您的服务商也可以为您增加空间。";
    ErrUploadRate => "You uploaded many pictures in a short time. Wait {minutes} min, then try again.", "短时间内上传的图片过多，请等待 {minutes} 分钟后再试。";
    ErrBusyWork => "The server is busy with other pictures and exports. Try again in a moment.", "服务器正忙于处理其他图片和导出，请稍后再试。";
    ErrBusy => "Too many people are signing in right now. Try again in a moment.", "当前登录的人太多，请稍后再试。";
    ErrMissingFields => "Enter both your login and your password.", "请输入登录名和密码。";
    ErrCsrf => "This form has expired or came from another site. Reload the page and try again.", "表单已过期或来自其他网站，请刷新页面后重试。";
    ErrUnauthenticated => "Please log in to continue.", "请先登录。";
    ErrForbidden => "Your account is not allowed to do this.", "您的账户无权执行此操作。";
    ErrNotFound => "We could not find that. It may have been removed, or it belongs to another account.", "找不到该内容。它可能已被删除，或属于其他账户。";
    ErrInternal => "Something went wrong on our side. Nothing you saved was lost; please try again.", "服务器出现问题。已保存的内容不会丢失，请重试。";
    ErrNetwork => "Could not reach mpforge. Check your connection and try again.", "无法连接 mpforge，请检查网络后重试。";
    Merchants => "Merchants", "商户";
    MerchantsIntro => "Every business your agency runs a mini program for.", "您的服务商为之运营小程序的所有商户。";
    NoMerchants => "No merchants yet. Create the first one below.", "还没有商户，请在下方创建第一个。";
    MerchantName => "Business name", "商户名称";
    MerchantLogin => "Merchant login", "商户登录名";
    MerchantPassword => "Initial password", "初始密码";
    MerchantPasswordHint => "At least 10 characters. Leave empty to generate one.", "至少 10 个字符。留空则自动生成。";
    CreateMerchant => "Create merchant", "创建商户";
    Creating => "Creating…", "正在创建…";
    MerchantCreated => "Merchant created.", "商户已创建。";
    GeneratedPassword => "Generated password (shown only once, pass it on now):", "自动生成的密码（仅显示一次，请立即转交）：";
    Sites => "Sites", "小程序";
    SitesCount => "Sites", "小程序数";
    Created => "Created", "创建时间";
    Updated => "Updated", "更新时间";
    MySites => "My mini programs", "我的小程序";
    SitesIntro => "Each site becomes one WeChat mini program.", "每个站点会生成一个微信小程序。";
    NoSites => "No sites yet. Pick a template below to start.", "还没有站点，请选择下方模板开始。";
    NewSite => "New site from a template", "从模板新建站点";
    SiteName => "Site name", "站点名称";
    CopySuffix => " (copy)", "（副本）";
    Merchant => "Merchant", "商户";
    MerchantAccount => "How this merchant signs in", "该商户的登录方式";
    ResetPassword => "Give a new password", "设置新密码";
    ResetPasswordHint => "For a merchant who lost theirs: a new password is made and shown once, and the merchant is signed out everywhere.", "用于忘记密码的商户：将生成新密码并仅显示一次，该商户在所有设备上退出登录。";
    PasswordResetDone => "{login} has a new password. Pass it on now: it is not shown again.", "{login} 已设置新密码。请立即转交：它不会再次显示。";
    SignInAt => "They sign in at", "登录地址";
    ErrUnknownAction => "This action is not one mpforge knows. Reload the page and try again.", "mpforge 不认识这个操作，请刷新页面后重试。";
    Rename => "Rename", "重命名";
    SaveName => "Save name", "保存名称";
    Archive => "Archive", "归档";
    Unarchive => "Take out of the archive", "取消归档";
    DeleteSite => "Delete", "删除";
    Restore => "Restore", "恢复";
    ArchivedSites => "Archived", "已归档";
    ArchivedSitesIntro => "Put away, not deleted: open, edit or take them out at any time.", "已收起但未删除：随时可以打开、编辑或取消归档。";
    DeletedSites => "Recently deleted", "最近删除";
    DeletedSitesIntro => "Deleted mini programs can be restored for 30 days, then they are gone.", "删除的小程序可在 30 天内恢复，之后将被彻底清除。";
    RestorableUntil => "Can be restored until {date}", "可恢复至 {date}";
    ActionsFor => "Actions for {name}", "{name} 的操作";
    DoneRename => "Renamed to “{name}”.", "已重命名为“{name}”。";
    DoneDuplicate => "“{name}” was made as a copy.", "已复制为“{name}”。";
    DoneArchive => "“{name}” was archived.", "已归档“{name}”。";
    DoneUnarchive => "“{name}” is back among your mini programs.", "“{name}”已回到您的小程序中。";
    DoneDelete => "“{name}” was deleted. You can restore it below for 30 days.", "已删除“{name}”。30 天内可在下方恢复。";
    DoneRestore => "“{name}” was restored.", "已恢复“{name}”。";
    CustomerLanguage => "Language your customers see", "顾客看到的语言";
    CustomerLanguageHint => "The mini program's own words (\"Add to cart\", \"Book\") are in this language.", "小程序自带的文字（如“加入购物车”“预约”）使用该语言。";
    Template => "Template", "模板";
    TemplateShop => "Shop", "商城";
    TemplateShopDesc => "Products, categories and a cart.", "商品、分类与购物车。";
    TemplateBooking => "Booking", "预约";
    TemplateBookingDesc => "Services, staff and appointments.", "服务、员工与预约。";
    TemplateInfo => "Info", "信息展示";
    TemplateInfoDesc => "Opening hours, map, gallery and contact.", "营业时间、地图、相册与联系方式。";
    CreateSite => "Create site", "创建站点";
    BackToDashboard => "Back to the dashboard", "返回控制台";
    NotFoundTitle => "Page not found", "页面不存在";
    ForbiddenTitle => "Not allowed", "无权访问";
    ErrorTitle => "Something went wrong", "出错了";
    GoHome => "Go to the start page", "返回首页";
    SignedInAs => "Signed in as", "当前用户";
    RoleAgencyAdmin => "Agency admin", "服务商管理员";
    RoleMerchant => "Merchant", "商户";
    RoleAgencyStaff => "Agency staff", "服务商员工";
    RoleMerchantStaff => "Merchant staff", "商户员工";
    ErrNameRequired => "Enter a name.", "请输入名称。";
    ErrNameTooLong => "This name is too long (at most {max} characters).", "名称过长（最多 {max} 个字符）。";
    ErrLoginFormat => "Use 3 to 64 characters: letters, digits, and . _ @ + -", "请使用 3 到 64 个字符：字母、数字及 . _ @ + -";
    ErrLoginTaken => "This login is already in use. Choose another one.", "该登录名已被使用，请换一个。";
    ErrPasswordShort => "The password needs at least 10 characters.", "密码至少需要 10 个字符。";
    ErrPasswordLong => "The password can be at most 200 characters.", "密码最多 200 个字符。";
    ErrPasswordCommon => "This password is too easy to guess: it is a common password, close to one, or made from the login or name. Try three or four unrelated words.", "这个密码太容易被猜到：它是常见密码、与常见密码相近，或由登录名、名称组成。试试三四个互不相关的词。";
    ErrCurrentPassword => "This is not your current password.", "当前密码不正确。";
    ErrPasswordSame => "The new password is the same as the current one.", "新密码与当前密码相同。";
    ErrPasswordsDiffer => "The two new passwords are not the same. Type it again in both fields.", "两次输入的新密码不一致，请在两栏中重新输入。";
    Account => "Account", "账户";
    AccountTitle => "Your account", "您的账户";
    AccountIntro => "How you sign in to mpforge.", "您登录 mpforge 的方式。";
    ChangePassword => "Change password", "修改密码";
    CurrentPassword => "Current password", "当前密码";
    NewPassword => "New password", "新密码";
    RepeatPassword => "New password, again", "再次输入新密码";
    NewPasswordHint => "At least 10 characters, not a common password. A few unrelated words work well.", "至少 10 个字符，且不是常见密码。几个互不相关的词就很好。";
    PasswordChanged => "Password changed. You stay signed in here; every other device was signed out.", "密码已修改。此设备保持登录，其他设备均已退出。";
    SignOutEverywhere => "Sign out everywhere", "在所有设备上退出";
    SignOutEverywhereHint => "Ends every session of this account, on every device, this one included. Use it after signing in on a shared computer, or if someone else may know your password.", "结束此账户在所有设备上的登录，包括当前设备。在公用电脑上登录过，或担心密码泄露时使用。";
    SignedOutEverywhere => "You were signed out on every device.", "您已在所有设备上退出登录。";
    VRequired => "This is required.", "此项为必填。";
    VTooLong => "Too long: at most {max} characters.", "太长：最多 {max} 个字符。";
    VColor => "\"{value}\" is not a colour: use the form #1a2b3c.", "“{value}”不是颜色：请使用 #1a2b3c 的格式。";
    VId => "Use lower-case letters, digits, - and _ (starting with a letter).", "请使用小写字母、数字、- 和 _（以字母开头）。";
    VDuplicate => "\"{value}\" is used twice; each must be unique.", "“{value}”重复使用，每项必须唯一。";
    VTime => "\"{value}\" is not a time: use 24-hour HH:MM, e.g. 09:30.", "“{value}”不是时间：请使用 24 小时制 HH:MM，例如 09:30。";
    VDate => "\"{value}\" is not a date: use YYYY-MM-DD.", "“{value}”不是日期：请使用 YYYY-MM-DD。";
    VSchemaVersion => "Unsupported format version; this mpforge reads version {value}.", "不支持的格式版本；本版本 mpforge 读取第 {value} 版。";
    VAppId => "An AppID is \"wx\" followed by 16 hexadecimal characters; leave it empty to use the test AppID.", "AppID 由“wx”加 16 位十六进制字符组成；留空则使用测试 AppID。";
    VHttps => "WeChat only calls https:// addresses.", "微信只允许调用 https:// 地址。";
    VRange => "Must be between {min} and {max}.", "必须在 {min} 到 {max} 之间。";
    VCompareAt => "The original price must be higher than the price.", "原价必须高于售价。";
    VUnknownRef => "\"{value}\" does not exist; pick one from the list.", "“{value}”不存在，请从列表中选择。";
    VUnknownBlock => "\"{value}\" is not a block type. Use one of: {expected}.", "“{value}”不是区块类型，请使用其中之一：{expected}。";
    VUnreadable => "Cannot be read: {detail}", "无法读取：{detail}";
    VVariant => "A variant needs one value of each option, from that option's values.", "每个规格需为每个选项选择一个该选项中的值。";
    VSevenDays => "Opening hours need all seven days, Monday first.", "营业时间需包含一周七天，从周一开始。";
    VCloseAfterOpen => "Closing time must be after opening time.", "打烊时间必须晚于开门时间。";
    VPhone => "Use digits, spaces, +, - and brackets only.", "只能使用数字、空格、+、- 和括号。";
    VPageCount => "A site needs 1 to {max} pages.", "站点需要 1 到 {max} 个页面。";
    VTooMany => "Too many items: at most {max}.", "项目过多：最多 {max} 个。";
    VTabCount => "WeChat's tab bar needs 2 to 5 items.", "微信底部标签栏需要 2 到 5 项。";
    VTabHome => "The first tab must be the home page (\"{value}\").", "第一个标签必须是首页（“{value}”）。";
    VReserved => "\"{value}\" is reserved for a built-in screen; choose another id.", "“{value}”为内置页面保留，请换一个 id。";
    ErrTemplateUnknown => "Choose one of the templates.", "请选择一个模板。";
    ErrSiteUnreadable => "The site data could not be read", "无法读取站点数据";
    ErrEditConflict => "This site was changed elsewhere (another tab or another person) after you opened it. Your changes are still here: reload to see the other changes, or keep yours and save over them.", "在你打开之后，此站点已在别处（另一个标签页或另一个人）被修改。你的修改仍保留在这里：重新加载以查看对方的修改，或保留你的修改并覆盖保存。";
    ErrNoSuchPage => "There is no such page.", "没有这个页面。";
    ErrLangChoice => "Choose English or 简体中文.", "请选择 English 或简体中文。";
    MediaEmpty => "the file is empty", "文件是空的";
    MediaTooLarge => "the file is {size} MB; upload images of at most 20 MB", "文件有 {size} MB，请上传不超过 20 MB 的图片";
    MediaNotAnImage => "this is not an image mpforge can read: use a JPEG, PNG, GIF or WebP file", "这不是可读取的图片：请使用 JPEG、PNG、GIF 或 WebP 文件";
    MediaTooManyPixels => "the image is {width}×{height} pixels; at most 40 megapixels, and 12000 pixels a side, are accepted", "图片为 {width}×{height} 像素；最多 4000 万像素，且最长边不超过 12000 像素";
    MediaCorrupt => "the image file is damaged and cannot be read ({detail})", "图片文件已损坏，无法读取（{detail}）";
    MediaNotUploaded => "this is not an uploaded picture: upload it again", "这不是已上传的图片：请重新上传";
    MediaMissing => "this picture is missing from the uploads: upload it again", "已上传的图片中找不到这张：请重新上传";
    SizeOver => "{what} would be {kb} KB, over WeChat's limit of {limit}. {advice}\nLargest files:{files}", "{what}将达到 {kb} KB，超过微信 {limit} 的上限。{advice}\n最大的文件：{files}";
    SizeMainPackage => "The main package", "主包";
    SizeSubpackage => "The subpackage of page {id}", "页面 {id} 的分包";
    SizeAllPackages => "The mini program (all packages together)", "整个小程序（所有包合计）";
    SizeAdviceSpilled => "Pages that are not tabs already moved to subpackages. Use fewer or smaller images on the tab pages (banners, product pictures shown in grids), or fewer products with pictures.", "不是标签页的页面已经移到了分包。请在标签页上使用更少或更小的图片（横幅、网格中的商品图片），或减少带图片的商品。";
    SizeAdviceMain => "Use fewer or smaller images, or fewer products with pictures.", "请使用更少或更小的图片，或减少带图片的商品。";
    SizeAdvicePage => "Split this page's content over more pages, or use fewer pictures on it.", "请把这个页面的内容分到更多页面，或在其中使用更少的图片。";
    SizeAdviceAll => "Use fewer pictures.", "请使用更少的图片。";
    ErrExportInvalid => "Fix these problems before exporting:", "导出前请先解决以下问题：";
    AddBlockToFix => "No page shows this yet: add a “{block}” block to a page, and its panel lets you change it.", "还没有页面显示这些内容：请在页面中添加一个“{block}”区块，然后在它的面板中修改。";
    Editor => "Editor", "编辑器";
    EditSite => "Edit", "编辑";
    PublishSite => "Publish", "发布";
    WeChatPlatform => "WeChat platform", "微信第三方平台";
    Undo => "Undo", "撤销";
    Redo => "Redo", "重做";
    Saved => "Saved", "已保存";
    NotSavedOne => "Not saved: 1 problem", "未保存：1 个问题";
    NotSavedMany => "Not saved: {count} problems", "未保存：{count} 个问题";
    Saving => "Saving…", "正在保存…";
    OfflineRetrying => "Offline, retrying… (your changes are kept in this browser)", "离线，正在重试…（修改已保存在此浏览器中）";
    ReloadTheirs => "Reload", "重新加载";
    KeepMine => "Keep mine", "保留我的修改";
    Dismiss => "Dismiss", "关闭";
    PhonePreview => "Phone preview", "手机预览";
    Properties => "Properties", "属性";
    RestoredLocal => "Unsaved changes from your last visit were restored.", "已恢复上次未保存的修改。";
    NeedsProduct => "Add a product first: this block shows one.", "请先添加商品：此模块需要展示一个商品。";
    AddBlock => "Add a block", "添加模块";
    PaletteHint => "Click to add after the selected block, or drag onto the outline.", "点击添加到所选模块之后，或拖到大纲中。";
    Outline => "Blocks on this page", "本页模块";
    OutlineHint => "Select a block to edit it. ↑/↓ go between blocks; drag or Alt+↑/↓ moves one.", "选择模块进行编辑。↑/↓ 在模块间切换；拖动或 Alt+↑/↓ 移动模块。";
    FindBlock => "Find a block type", "查找模块类型";
    NoBlockMatches => "No block type has that name.", "没有这个名称的模块类型。";
    PageEmpty => "This page has no blocks yet. Use “Add a block” to start it.", "此页面还没有模块。点击“添加模块”开始。";
    CloseTool => "Close", "关闭";
    BlockTools => "Block tools", "模块工具";
    SkipToProperties => "Skip to properties", "跳到属性";
    EditorViews => "Editor views", "编辑器视图";
    TabBlocks => "Blocks", "模块";
    TabPhone => "Phone", "手机";
    Hidden => "hidden", "已隐藏";
    MoveUp => "Move up", "上移";
    MoveDown => "Move down", "下移";
    Duplicate => "Duplicate", "复制";
    Show => "Show", "显示";
    Hide => "Hide", "隐藏";
    Delete => "Delete", "删除";
    SampleText => "Tell your customers something here.", "在这里向顾客介绍一些内容。";
    BookNow => "Book now", "立即预约";
    MoreInfo => "More", "了解更多";
    BlockBanner => "Banner", "横幅";
    BlockRichText => "Text", "文字";
    BlockImage => "Image", "图片";
    BlockNoticeBar => "Notice bar", "公告栏";
    BlockProductGrid => "Product grid", "商品网格";
    BlockProductList => "Products by category", "分类商品列表";
    BlockFeaturedProduct => "Featured product", "推荐商品";
    BlockServiceList => "Service list", "服务列表";
    BlockBookingButton => "Booking button", "预约按钮";
    BlockOpeningHours => "Opening hours", "营业时间";
    BlockLocationMap => "Map", "地图";
    BlockContactCard => "Contact card", "联系方式";
    BlockGallery => "Gallery", "相册";
    BlockSpacer => "Spacer", "间距";
    BlockDivider => "Divider", "分隔线";
    BlockLinkButton => "Link button", "链接按钮";
    ErrPriceFormat => "Enter a price in yuan, like 12 or 12.50.", "请输入以元为单位的价格，例如 12 或 12.50。";
    LowContrast => "Low contrast: text in these colours is hard to read.", "对比度低：这些颜色的文字难以阅读。";
    ErrImageTooLarge => "This file is too large: upload images of at most 20 MB.", "文件过大：请上传不超过 20 MB 的图片。";
    ImageHint => "JPEG, PNG, GIF or WebP. You can also drop a file here.", "支持 JPEG、PNG、GIF 或 WebP，也可以把文件拖到这里。";
    RemoveImage => "Remove the picture", "移除图片";
    Uploading => "Uploading", "正在上传";
    Pages => "Pages", "页面";
    NewPageTitle => "New page title", "新页面标题";
    AddPage => "Add page", "添加页面";
    FieldTitle => "Title", "标题";
    FieldSubtitle => "Subtitle", "副标题";
    FieldImage => "Picture", "图片";
    FieldText => "Text", "文字";
    ParagraphHint => "Leave an empty line between paragraphs.", "段落之间空一行。";
    FieldCaption => "Caption", "说明文字";
    FieldProduct => "Product", "商品";
    FieldLabel => "Label", "文字";
    FieldHeight => "Height (rpx)", "高度（rpx）";
    FieldLinkPage => "Opens page", "打开页面";
    FieldIcon => "Icon", "图标";
    NothingToSet => "This block has nothing to set.", "此模块没有可设置的内容。";
    BackToPage => "← Page and site settings", "← 页面与站点设置";
    Services => "Services", "服务";
    FieldName => "Name", "名称";
    FieldDuration => "Duration (minutes)", "时长（分钟）";
    FieldBuffer => "Free time after each booking (minutes)", "每次预约后的空档（分钟）";
    OwnHours => "Works other hours than the shop's", "工作时间与门店不同";
    OwnHoursHint => "Within the shop's hours; customers can book them only then.", "须在门店营业时间内；顾客只能在这些时间预约此人。";
    FieldPrice => "Price", "价格";
    ThisPage => "This page", "当前页面";
    FieldPageTitle => "Page title", "页面标题";
    LastPage => "A mini program needs at least one page.", "小程序至少需要一个页面。";
    MovePageUp => "Move page up", "页面上移";
    MovePageDown => "Move page down", "页面下移";
    DeletePage => "Delete page", "删除页面";
    TabPageHint => "This page is in the tab bar: deleting it also needs the tab removed.", "此页面在底部标签栏中：删除前需要移除对应标签。";
    SiteSettings => "Site", "站点";
    Theme => "Theme", "主题";
    ColorPrimary => "Main colour", "主色";
    ColorAccent => "Accent (prices)", "强调色（价格）";
    ColorBackground => "Background", "背景色";
    CornerRadius => "Corner radius (rpx)", "圆角（rpx）";
    FontScale => "Text size", "文字大小";
    TabBar => "Tab bar", "底部标签栏";
    TabRules => "WeChat shows 2 to 5 tabs; each opens a different page.", "微信要求 2 到 5 个标签，每个打开不同的页面。";
    TabNeedsPage => "Every page already has a tab: add a page first.", "每个页面都已有标签：请先添加页面。";
    TabMinimum => "A tab bar needs at least 2 tabs.", "底部标签栏至少需要 2 个标签。";
    NoTabBar => "This site has no tab bar.", "此站点没有底部标签栏。";
    Tab => "Tab", "标签";
    TabColors => "Tab bar colours", "标签栏颜色";
    Slide => "Slide {n}", "幻灯片 {n}";
    NewSlide => "New slide", "新幻灯片";
    AddSlide => "Add a slide", "添加幻灯片";
    RemoveSlide => "Remove", "删除";
    SlideLink => "Opens when tapped", "点击后打开";
    NoLink => "Nothing", "不打开页面";
    ColorPicker => "colour picker", "取色器";
    TabTextColor => "Tab text", "标签文字";
    TabSelectedColor => "Selected tab", "选中的标签";
    TabBackground => "Tab bar background", "标签栏背景";
    ColorText => "Text", "文字颜色";
    IconHome => "Home", "首页";
    IconShop => "Shop", "商店";
    IconCart => "Cart", "购物车";
    IconCalendar => "Calendar", "日历";
    IconUser => "Person", "个人";
    IconInfo => "Information", "信息";
    IconPhone => "Phone", "电话";
    IconMap => "Map", "地图";
    IconStar => "Star", "星标";
    IconGrid => "Grid", "网格";
    IconGift => "Gift", "礼物";
    IconPhoto => "Photo", "照片";
    RemoveTab => "Remove this tab", "移除此标签";
    AddTab => "Add a tab", "添加标签";
    Export => "Export", "导出";
    Exporting => "Exporting…", "正在导出…";
    ExportedAs => "Downloaded “{file}”: your mini program, {pages} pages.", "已下载“{file}”：您的小程序，共 {pages} 个页面。";
    PackageMain => "Main package", "主包";
    PackagePart => "Part “{name}”", "分包“{name}”";
    PackageSize => "{part}: {size} of the 2 MB WeChat allows", "{part}：{size}（微信上限 2 MB）";
    WhatNext => "What next", "下一步";
    NextUnzip => "Unzip the file.", "解压这个文件。";
    NextDevTools => "In WeChat DevTools choose Import, pick the unzipped folder and your mini program's AppID, then Preview to try it on your phone.", "在微信开发者工具中选择“导入”，选中解压后的文件夹并填写小程序的 AppID，然后点“预览”在手机上试用。";
    NextSubmit => "Press Upload, then submit the version for review in the WeChat admin (mp.weixin.qq.com) under Version management.", "点击“上传”，然后在微信公众平台（mp.weixin.qq.com）的“版本管理”中提交审核。";
    Products => "Products", "商品";
    NewProduct => "New product", "新商品";
    Unnamed => "(no name yet)", "（尚未命名）";
    AddProduct => "Add a product", "添加商品";
    DeleteProduct => "Delete this product", "删除此商品";
    FieldCompareAt => "Original price (0: none)", "原价（0 表示无）";
    FieldStock => "Stock", "库存";
    ErrAccountPaused => "Your agency has paused this account. Ask them to turn it back on.", "您的服务商已暂停此账号，请联系他们重新开启。";
    ErrAccountRemoved => "Your agency has deleted this account. It can restore it for 30 days: ask them if this is a mistake.", "您的服务商已删除此账号，30 天内可以恢复：如有误请联系他们。";
    ErrMerchantGone => "This merchant can no longer be restored.", "此商户已无法恢复。";
    PauseMerchant => "Pause sign-in", "暂停登录";
    PauseMerchantHint => "The merchant cannot sign in until you resume it; its sites stay as they are.", "暂停后商户无法登录，直到您恢复；其网站保持不变。";
    ResumeMerchant => "Allow sign-in again", "恢复登录";
    MerchantPaused => "Paused: this merchant cannot sign in.", "已暂停：此商户无法登录。";
    DeleteMerchant => "Delete merchant…", "删除商户…";
    DeleteMerchantConfirm => "Delete {name} and its sites", "删除{name}及其网站";
    DeleteMerchantHint => "It disappears from your list and cannot sign in. You can restore it for 30 days; after that it is removed with its sites.", "删除后将从列表中消失且无法登录。30 天内可以恢复，之后将连同其网站一起永久删除。";
    DeletedMerchants => "Deleted merchants", "已删除的商户";
    RestoreMerchant => "Restore", "恢复";
    StatePaused => "Paused", "已暂停";
    DoneMerchantPaused => "{name} is paused: it cannot sign in.", "已暂停{name}：无法登录。";
    DoneMerchantResumed => "{name} can sign in again.", "{name}可以重新登录了。";
    DoneMerchantDeleted => "{name} was deleted. You can restore it for 30 days.", "已删除{name}。30 天内可以恢复。";
    DoneMerchantRestored => "{name} was restored.", "已恢复{name}。";
    Copy => "Copy", "复制";
    Logo => "Logo", "标志";
    LogoHint => "Square works best. Shown with your name on the contact card.", "建议使用正方形图片，将与商家名称一起显示在联系方式卡片上。";
    LookCloser => "See “{template}” larger", "放大查看“{template}”";
    Copied => "Copied", "已复制";
    StockHint => "Leave empty if you do not count stock; 0 means sold out.", "不统计库存请留空；0 表示已售罄。";
    CustomersSee => "Customers see {price}.", "顾客看到的价格：{price}。";
    CustomersSeeLabel => "Customers see:", "顾客看到的价格：";
    PriceFrom => "from {price}", "{price} 起";
    ChoicesPriceHint => "This product has options, so each choice has its own price (below). The card shows the lowest one.", "此商品有规格，每个规格有自己的价格（见下方）。商品卡片显示最低价。";
    PriceAllChoices => "One price for every choice", "所有规格统一价格";
    ApplyToAll => "Apply to all choices", "应用到所有规格";
    ErrWholeNumber => "Enter a whole number from {min} to {max}.", "请输入 {min} 到 {max} 之间的整数。";
    FieldCategory => "Category", "分类";
    NoCategory => "No category", "无分类";
    FieldDescription => "Description", "描述";
    Categories => "Categories", "分类";
    NewCategory => "New category", "新分类";
    AddCategory => "Add a category", "添加分类";
    Mon => "Monday", "星期一";
    Tue => "Tuesday", "星期二";
    Wed => "Wednesday", "星期三";
    Thu => "Thursday", "星期四";
    Fri => "Friday", "星期五";
    Sat => "Saturday", "星期六";
    Sun => "Sunday", "星期日";
    Closed => "Closed", "休息";
    Opens => "opens", "开门";
    Closes => "closes", "关门";
    Location => "Location", "位置";
    Address => "Address", "地址";
    Latitude => "Latitude", "纬度";
    Longitude => "Longitude", "经度";
    ErrCoordinate => "Enter a number, like 31.2304.", "请输入数字，例如 31.2304。";
    CoordinateHint => "Find them in a map app: long-press your shop and copy the coordinates.", "可在地图应用中长按店铺位置并复制坐标。";
    Phone => "Phone", "电话";
    WechatId => "WeChat ID", "微信号";
    Email => "Email", "邮箱";
    AddPicture => "Add a picture", "添加图片";
    AllProducts => "All products", "全部商品";
    SkuOptions => "Options (size, temperature…)", "规格（尺寸、温度…）";
    OptionName => "Option name", "规格名";
    OptionValues => "Values, separated by commas", "可选值，用逗号分隔";
    AddOption => "Add an option", "添加规格";
    RemoveOption => "Remove this option", "移除此规格";
    Variants => "Prices and stock per choice", "各规格的价格与库存";
    VariantsHint => "One row per combination. A combination you delete is not sold.", "每种组合一行。删除的组合不出售。";
    TooManyVariants => "At most 100 combinations: use fewer values.", "最多 100 种组合：请减少可选值。";
    RemoveVariant => "Stop selling this combination", "停售此组合";
    RestoreVariants => "Sell every combination again", "恢复全部组合";
    Staff => "Staff", "员工";
    NewStaff => "New staff member", "新员工";
    AddStaff => "Add a staff member", "添加员工";
    FieldJobTitle => "Job title", "职位";
    FieldPhoto => "Photo", "照片";
    OfferedBy => "Offered by (none ticked: anyone)", "服务人员（不勾选：任何人）";
    NewService => "New service", "新服务";
    AddService => "Add a service", "添加服务";
    DeleteService => "Delete this service", "删除此服务";
    SpecialDays => "Special days (holidays, events)", "特殊日期（节假日、活动）";
    AddSpecialDay => "Add a special day", "添加特殊日期";
    NewSpecialDay => "New special day", "新的特殊日期";
    FieldDate => "Date", "日期";
    FieldNote => "Note", "备注";
    AnyService => "Let the customer choose", "由顾客选择";
    FieldService => "Service", "服务";
    FieldColumns => "Columns", "列数";
}

/// A text written in both languages at its place of use, in `lang`'s.
pub fn tr(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_on_its_own_starts_with_a_capital() {
        assert_eq!(Lang::sentence("the file is empty"), "The file is empty");
        assert_eq!(Lang::sentence("文件是空的"), "文件是空的");
        assert_eq!(Lang::sentence(""), "");
    }

    #[test]
    fn every_key_has_both_languages() {
        for key in Text::ALL {
            for lang in Lang::ALL {
                assert!(
                    !key.text(lang).trim().is_empty(),
                    "{key:?} is empty in {lang:?}"
                );
            }
        }
    }

    #[test]
    fn accept_language_prefers_first_supported() {
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Lang::Zh)
        );
        assert_eq!(
            Lang::from_accept_language("fr-FR, en-US;q=0.5"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("fr"), None);
        assert_eq!(Lang::from_code("ZH-cn"), Some(Lang::Zh));
    }
}
