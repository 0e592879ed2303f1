//! Several `doumi serve` replicas of one help center: each reads its own
//! checkout of the content and keeps its own index, and `/healthz` tells
//! which content each one serves.

mod util;

use util::{HelpCenter, REFUND_FAQ, copy_tree};

fn content_of(server: &util::Server) -> String {
    server.get("/healthz").json()["content"].as_str().unwrap().to_string()
}

#[test]
fn replicas_of_the_same_content_agree_on_its_fingerprint_and_one_behind_differs() {
    let (a, b) = (HelpCenter::new(), HelpCenter::new());
    a.write("refund.md", REFUND_FAQ);
    a.write("shipping.md", "---\ntitle: 배송 안내\n---\n## 배송은 얼마나 걸리나요?\n1~3일 걸립니다.\n");
    // Another checkout, elsewhere on disk: the same files.
    copy_tree(&a.content(), &b.content());
    let (first, second) = (a.serve(&[], &[]), b.serve(&[], &[]));
    let fingerprint = content_of(&first);
    assert_eq!(fingerprint.len(), 16);
    assert_eq!(content_of(&second), fingerprint, "the same content, wherever it is checked out");

    // The first replica pulls an edit; the second is behind until it does too.
    a.write("shipping.md", "---\ntitle: 배송 안내\n---\n## 배송은 얼마나 걸리나요?\n2~3일 걸립니다.\n");
    first.eventually(std::time::Duration::from_secs(10), |s| content_of(s) != fingerprint);
    assert_eq!(content_of(&second), fingerprint);
    b.write("shipping.md", "---\ntitle: 배송 안내\n---\n## 배송은 얼마나 걸리나요?\n2~3일 걸립니다.\n");
    let updated = content_of(&first);
    second.eventually(std::time::Duration::from_secs(10), |s| content_of(s) == updated);
}
