//! Snapshots of real frames (ratatui's `TestBackend`), driven through `update` with scripted
//! keys on a seeded simulation. Stored in the top-level `snapshots/` directory.
//!
//! Time only moves through `Msg::Advance { wall }` in 20 ms steps (the loop's tick), so the
//! frames never depend on the machine's clock or speed.

use evtchn_lab::app::Veil;
use evtchn_lab::ui::{self, theme::Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

#[macro_use]
mod common;
use common::{frame, frame_in, lab, press, run};

#[test]
fn default_screen_120x40() {
    let mut app = lab();
    run(&mut app, 3.0);
    snap!("ui_default_120x40", frame(&app, 120, 40).backend());
}

#[test]
fn buggy_after_5s() {
    let mut app = lab();
    run(&mut app, 5.0);
    snap!("ui_buggy_after_5s", frame(&app, 120, 40).backend());
}

#[test]
fn fixed_after_flip_at_3s() {
    let mut app = lab();
    run(&mut app, 3.0);
    press(&mut app, "b");
    run(&mut app, 3.0);
    snap!("ui_fixed_after_flip_at_3s", frame(&app, 120, 40).backend());
}

#[test]
fn throttle_pause_in_progress() {
    let mut app = lab();
    run(&mut app, 1.0);
    press(&mut app, " ");
    // Single-step until a port sits on the delayed-EOI list.
    let mut steps = 0;
    while !app.lane.sim().ports().any(|p| p.on_eoi_list) {
        press(&mut app, ".");
        steps += 1;
        assert!(steps < 10_000, "no throttle pause within 10000 steps");
    }
    snap!("ui_throttle_pause", frame(&app, 120, 40).backend());
}

#[test]
fn rogue_guest() {
    let mut app = lab();
    press(&mut app, "gg");
    run(&mut app, 1.0);
    snap!("ui_rogue_guest", frame(&app, 120, 40).backend());
}

#[test]
fn compare_mode_120x40() {
    let mut app = lab();
    press(&mut app, "c");
    run(&mut app, 3.0);
    snap!("ui_compare_120x40", frame(&app, 120, 40).backend());
}

#[test]
fn compare_mode_80x24() {
    let mut app = lab();
    press(&mut app, "c");
    run(&mut app, 2.0);
    snap!("ui_compare_80x24", frame(&app, 80, 24).backend());
}

#[test]
fn help_overlay_120x40() {
    let mut app = lab();
    run(&mut app, 1.0);
    press(&mut app, "?");
    snap!("ui_help_120x40", frame(&app, 120, 40).backend());
}

#[test]
fn help_overlay_80x24() {
    let mut app = lab();
    run(&mut app, 1.0);
    press(&mut app, "?");
    snap!("ui_help_80x24", frame(&app, 80, 24).backend());
}

#[test]
fn free_play_80x24() {
    let mut app = lab();
    run(&mut app, 2.0);
    snap!("ui_free_80x24", frame(&app, 80, 24).backend());
}

#[test]
fn free_play_60x18() {
    let mut app = lab();
    run(&mut app, 2.0);
    snap!("ui_free_60x18", frame(&app, 60, 18).backend());
}

#[test]
fn too_small_terminal() {
    let mut app = lab();
    run(&mut app, 0.2);
    snap!("ui_too_small_50x12", frame(&app, 50, 12).backend());
}

#[test]
fn linux_split_channels_160x50() {
    let mut app = lab();
    press(&mut app, "g");
    run(&mut app, 2.0);
    snap!("ui_linux_160x50", frame(&app, 160, 50).backend());
}

/// NO_COLOR: styles are modifiers only, so the style list shows no colour anywhere.
#[test]
fn no_color_frame_styles() {
    let mut app = lab();
    run(&mut app, 2.0);
    let t = frame_in(&app, &Theme::no_color(), 80, 24);
    snap_debug!("ui_no_color_80x24_styles", t.backend().buffer());
}

#[test]
fn light_theme_frame_styles() {
    let mut app = lab();
    run(&mut app, 2.0);
    let t = frame_in(&app, &Theme::light(), 80, 24);
    snap_debug!("ui_light_80x24_styles", t.backend().buffer());
}

fn pane_buffer(w: u16, h: u16, draw: impl FnOnce(Rect, &mut Buffer)) -> Buffer {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    draw(area, &mut buf);
    buf
}

/// The operator's colour carries the verdict (red `|`, green `&&`): style snapshots.
#[test]
fn code_pane_operator_styles() {
    let mut app = lab();
    run(&mut app, 0.1);
    let theme = Theme::dark();
    let buggy = pane_buffer(76, 10, |a, b| {
        ui::code::CodePane {
            lane: &app.lane,
            theme: &theme,
            veil: Veil::NONE,
        }
        .render(a, b)
    });
    snap_debug!("ui_style_code_buggy", buggy);
    press(&mut app, "b");
    let fixed = pane_buffer(76, 10, |a, b| {
        ui::code::CodePane {
            lane: &app.lane,
            theme: &theme,
            veil: Veil::NONE,
        }
        .render(a, b)
    });
    snap_debug!("ui_style_code_fixed", fixed);
}

/// Bits set, clear and just changed are told apart by style (and read 0/1).
#[test]
fn ports_pane_bit_styles() {
    let mut app = lab();
    run(&mut app, 0.5);
    press(&mut app, " .");
    let theme = Theme::dark();
    let buf = pane_buffer(42, 10, |a, b| {
        ui::ports::PortsPane {
            lane: &app.lane,
            theme: &theme,
            veil: Veil::NONE,
        }
        .render(a, b)
    });
    snap_debug!("ui_style_ports", buf);
}

/// The throttle strip: paused jiffies low and red, open ones full and green.
#[test]
fn throttle_strip_styles() {
    let mut app = lab();
    run(&mut app, 0.2);
    press(&mut app, "b");
    run(&mut app, 0.1);
    let theme = Theme::dark();
    let buf = pane_buffer(42, 10, |a, b| {
        ui::throttle::ThrottlePane {
            lane: &app.lane,
            theme: &theme,
            veil: Veil::NONE,
        }
        .render(a, b)
    });
    snap_debug!("ui_style_throttle", buf);
}
