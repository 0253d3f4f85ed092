//! The mini program's built-in labels, in the site's language.
use app::i18n::Lang;
use serde_json::{json, Value};

pub fn labels(lang: Lang) -> Value {
    match lang {
        Lang::En => json!({
            "sold_out": "Sold out", "unavailable": "Not available", "book": "Book",
            "opening_hours": "Opening hours", "find_us": "Find us", "navigate": "Navigate",
            "contact": "Contact", "phone": "Phone", "wechat": "WeChat", "email": "Email",
            "message_us": "Message us", "map_failed": "Could not open the map",
            "not_found": "This item is no longer available", "added": "Added",
            "quantity": "Quantity", "cart": "Cart", "add_to_cart": "Add to cart",
            "cart_empty": "Your cart is empty", "total": "Total", "checkout": "Place order",
            "order_placed": "Order placed", "api_missing": "Online ordering is not set up yet",
            "request_failed": "The shop could not accept this", "network_failed": "Network error, please try again",
            "choose_service": "Choose a service", "back": "Change", "choose_date": "Choose a day",
            "no_dates": "No open days in the next two weeks", "choose_time": "Choose a time",
            "no_slots": "No free times that day", "your_details": "Your details",
            "your_name": "Your name", "your_phone": "Mobile number", "confirm_booking": "Confirm booking",
            "booking_done": "Booked! See you soon.", "name_required": "Please enter your name",
            "phone_invalid": "Please enter a valid phone number", "closed": "Closed", "minutes": "min",
            "weekdays_short": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        }),
        Lang::Zh => json!({
            "sold_out": "已售罄", "unavailable": "暂无此规格", "book": "预约",
            "opening_hours": "营业时间", "find_us": "门店位置", "navigate": "导航前往",
            "contact": "联系我们", "phone": "电话", "wechat": "微信", "email": "邮箱",
            "message_us": "在线咨询", "map_failed": "无法打开地图",
            "not_found": "该商品已下架", "added": "已加入",
            "quantity": "数量", "cart": "购物车", "add_to_cart": "加入购物车",
            "cart_empty": "购物车是空的", "total": "合计", "checkout": "提交订单",
            "order_placed": "下单成功", "api_missing": "商家尚未开通在线下单",
            "request_failed": "商家暂时无法处理", "network_failed": "网络错误，请重试",
            "choose_service": "选择服务", "back": "修改", "choose_date": "选择日期",
            "no_dates": "未来两周没有营业日", "choose_time": "选择时间",
            "no_slots": "当天没有可约时间", "your_details": "您的信息",
            "your_name": "姓名", "your_phone": "手机号", "confirm_booking": "确认预约",
            "booking_done": "预约成功，期待您的光临！", "name_required": "请输入姓名",
            "phone_invalid": "请输入正确的手机号", "closed": "休息", "minutes": "分钟",
            "weekdays_short": ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let (en, zh) = (labels(Lang::En), labels(Lang::Zh));
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&en), keys(&zh));
    }
}
