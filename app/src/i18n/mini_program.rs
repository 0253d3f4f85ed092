//! The generated mini program's own labels ("Add to cart", "Book"…), in the site's language.
//! Like the UI's [`super::Text`], each label must be given both languages or it does not compile;
//! the mini program reads them from `data/site.js` by their key.
use super::Lang;
use serde_json::{Map, Value};

macro_rules! labels {
    ($($key:ident => $en:literal, $zh:literal;)*) => {
        /// A label of the generated mini program.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[allow(non_camel_case_types)]
        pub enum Label { $($key),* }

        impl Label {
            pub const ALL: &'static [Label] = &[$(Label::$key),*];

            /// The key the mini program's scripts and templates use.
            pub fn key(self) -> &'static str {
                match self { $(Label::$key => stringify!($key),)* }
            }

            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Label::$key, Lang::En) => $en, (Label::$key, Lang::Zh) => $zh,)*
                }
            }
        }
    };
}

labels! {
    sold_out => "Sold out", "已售罄";
    price_from => "From {price}", "{price} 起";
    unavailable => "Not available", "暂无此规格";
    book => "Book", "预约";
    opening_hours => "Opening hours", "营业时间";
    find_us => "Find us", "门店位置";
    navigate => "Navigate", "导航前往";
    contact => "Contact", "联系我们";
    phone => "Phone", "电话";
    wechat => "WeChat", "微信";
    email => "Email", "邮箱";
    message_us => "Message us", "在线咨询";
    map_failed => "Could not open the map", "无法打开地图";
    not_found => "This item is no longer available", "该商品已下架";
    added => "Added", "已加入";
    quantity => "Quantity", "数量";
    cart => "Cart", "购物车";
    add_to_cart => "Add to cart", "加入购物车";
    cart_empty => "Your cart is empty", "购物车是空的";
    total => "Total", "合计";
    checkout => "Place order", "提交订单";
    order_placed => "Order placed", "下单成功";
    api_missing => "Online ordering is not set up yet", "商家尚未开通在线下单";
    request_failed => "The shop could not accept this", "商家暂时无法处理";
    network_failed => "Network error, please try again", "网络错误，请重试";
    choose_service => "Choose a service", "选择服务";
    back => "Change", "修改";
    choose_date => "Choose a day", "选择日期";
    no_dates => "No open days in the next two weeks", "未来两周没有营业日";
    choose_time => "Choose a time", "选择时间";
    no_slots => "No free times that day", "当天没有可约时间";
    your_details => "Your details", "您的信息";
    your_name => "Your name", "姓名";
    your_phone => "Mobile number", "手机号";
    confirm_booking => "Confirm booking", "确认预约";
    booking_done => "Booked! See you soon.", "预约成功，期待您的光临！";
    name_required => "Please enter your name", "请输入姓名";
    phone_invalid => "Please enter a valid phone number", "请输入正确的手机号";
    closed => "Closed", "休息";
    your_contact => "Your details", "联系信息";
    pickup => "Pick up", "到店自取";
    delivery => "Delivery", "外送";
    address => "Delivery address", "配送地址";
    address_required => "Please enter a delivery address", "请填写配送地址";
    note => "Note for the shop (optional)", "备注(选填)";
    prices_updated => "Prices were updated: please check and order again", "价格已更新，请核对后重新下单";
    my_orders => "My orders", "我的订单";
    my_bookings => "My bookings", "我的预约";
    no_orders => "No orders yet", "还没有订单";
    no_bookings => "No bookings yet", "还没有预约";
    cancel_order => "Cancel order", "取消订单";
    cancel_booking => "Cancel booking", "取消预约";
    cancel_confirm => "Cancel it?", "确定取消吗？";
    cancelled_done => "Cancelled", "已取消";
    sign_in_failed => "Could not sign in with WeChat", "微信登录失败";
    test_order => "Test", "测试";
    anyone => "Anyone", "不指定";
    choose_staff => "Who", "选择服务人员";
    loading => "Loading…", "加载中…";
    status_received => "Received", "已接收";
    status_accepted => "Accepted", "已接单";
    status_ready => "Ready", "已备好";
    status_completed => "Completed", "已完成";
    status_cancelled => "Cancelled", "已取消";
    status_confirmed => "Confirmed", "已确认";
    status_no_show => "Missed", "未到店";
    minutes => "min", "分钟";
    mon => "Mon", "周一";
    tue => "Tue", "周二";
    wed => "Wed", "周三";
    thu => "Thu", "周四";
    fri => "Fri", "周五";
    sat => "Sat", "周六";
    sun => "Sun", "周日";
}

/// Short weekday names, Monday first.
pub const WEEKDAYS: [Label; 7] = [
    Label::mon,
    Label::tue,
    Label::wed,
    Label::thu,
    Label::fri,
    Label::sat,
    Label::sun,
];

/// Every label as the mini program reads it: `{"sold_out": "Sold out", …,
/// "weekdays_short": ["Mon", …]}`.
pub fn labels(lang: Lang) -> Value {
    let mut out: Map<String, Value> = Label::ALL
        .iter()
        .filter(|l| !WEEKDAYS.contains(l))
        .map(|l| (l.key().to_string(), Value::from(l.text(lang))))
        .collect();
    out.insert(
        "weekdays_short".into(),
        WEEKDAYS.iter().map(|d| Value::from(d.text(lang))).collect(),
    );
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_is_given_in_both_languages() {
        for label in Label::ALL {
            for lang in Lang::ALL {
                assert!(!label.text(lang).trim().is_empty(), "{label:?} in {lang:?}");
            }
        }
        let en = labels(Lang::En);
        assert_eq!(en["add_to_cart"], "Add to cart");
        assert_eq!(labels(Lang::Zh)["weekdays_short"][6], "周日");
    }
}
