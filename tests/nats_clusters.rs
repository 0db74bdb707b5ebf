//! The production NATS configurations the Terraform installs (the repository's `nats/conf` files
//! plus the modules' includes): their includes keep the repository's settings, and they start as
//! a three-server hub and a three-server region that form JetStream clusters, each in its own
//! domain, and link over mutual TLS.
//!
//! Tools: nats-server from `.tools` (`make tools`), started as `edgehook up` starts it
//! (`edgehook_testkit::NatsServer`); openssl for test certificates.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use edgehook_testkit::cluster::{
    self, CLUSTER_INCLUDE, ClusterPorts, ClusterServer, monitor_json, wait_for, wait_healthy,
};
use edgehook_testkit::tools::{openssl, read};
use edgehook_testkit::{free_port, install_crypto_provider};

/// The base configuration of each side and the include that restates its `leafnodes` block.
const NATS_SIDES: &[(&str, &str)] = &[
    ("nats/conf/hub.conf", "terraform/modules/hub/conf/leafnodes-tls.conf"),
    ("nats/conf/region.conf", "terraform/modules/region/conf/leafnodes-tls.conf"),
];

/// The text of the top-level `name { ... }` block of a NATS configuration, comments removed.
fn nats_block(config: &str, name: &str) -> Option<String> {
    let code: String =
        config.lines().map(|line| line.split('#').next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    let start = code.lines().position(|line| {
        let line = line.trim_start();
        line.starts_with(name) && line[name.len()..].trim_start().starts_with('{')
    })?;
    let text: String = code.lines().skip(start).collect::<Vec<_>>().join("\n");
    let open = text.find('{')?;
    let mut depth = 0;
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(text[open + 1..open + i].to_owned());
                }
            }
            _ => {}
        }
    }
    None
}

/// `key: value` settings with a scalar value in a block (at any depth).
fn nats_settings(block: &str) -> BTreeSet<(String, String)> {
    let mut settings = BTreeSet::new();
    for piece in block.split(['\n', ',', '{', '}', '[', ']']) {
        if let Some((key, value)) = piece.split_once(':').or_else(|| piece.split_once('=')) {
            let (key, value) = (key.trim(), value.trim());
            if !key.is_empty()
                && !value.is_empty()
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                settings.insert((key.to_owned(), value.to_owned()));
            }
        }
    }
    settings
}

#[test]
fn production_includes_keep_the_repository_nats_settings() {
    // NATS replaces a block that is defined twice: the production leafnodes block must restate
    // every setting of the repository's, and no include may touch the JetStream domain.
    for (base, include) in NATS_SIDES {
        let base_block =
            nats_block(&read(base), "leafnodes").unwrap_or_else(|| panic!("{base} has no leafnodes block"));
        let include_block = nats_block(&read(include), "leafnodes")
            .unwrap_or_else(|| panic!("{include} has no leafnodes block"));
        let restated = nats_settings(&include_block);
        let base_settings = nats_settings(&base_block);
        assert!(!base_settings.is_empty(), "{base}: found no leafnodes settings to compare");
        let missing: Vec<_> = base_settings.difference(&restated).collect();
        assert!(missing.is_empty(), "{include} drops leafnodes settings of {base}: {missing:?}");
        assert!(include_block.contains("tls"), "{include} adds no TLS");
    }
    for include in [CLUSTER_INCLUDE, NATS_SIDES[0].1, NATS_SIDES[1].1] {
        assert!(
            nats_block(&read(include), "jetstream").is_none(),
            "{include} redefines jetstream (its domain)"
        );
    }
}

/// A CA and, for each name, a certificate for 127.0.0.1 usable as server and client.
fn test_certificates(dir: &Path, names: &[&str]) {
    let new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    let mut ca = vec![
        "req",
        "-x509",
        "-days",
        "2",
        "-subj",
        "/CN=edgehook-test-ca",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ];
    ca.extend(new_key);
    openssl(dir, &ca);
    for name in names {
        let (key, csr, cert, ext) =
            (format!("{name}.key"), format!("{name}.csr"), format!("{name}.pem"), format!("{name}.ext"));
        std::fs::write(
            dir.join(&ext),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n",
        )
        .unwrap();
        let subject = format!("/CN={name}");
        let mut request =
            vec!["req", "-subj", subject.as_str(), "-keyout", key.as_str(), "-out", csr.as_str()];
        request.extend(new_key);
        openssl(dir, &request);
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                &ext,
                "-out",
                &cert,
            ],
        );
    }
}

/// Starts the three servers of one side the way modules/nats-cluster installs them, with the
/// side's TLS include and its certificate.
async fn start_cluster(
    certs: &Path,
    side: (&str, &str),
    prefix: &str,
    cluster_name: &str,
    ports: &ClusterPorts,
    certificate: &str,
    side_environment: impl Fn(usize) -> Vec<(&'static str, String)>,
) -> Vec<ClusterServer> {
    let (base, leaf_include) = side;
    cluster::start_cluster(base, &[("leafnodes-tls.conf", leaf_include)], prefix, cluster_name, ports, |i| {
        let mut environment = vec![
            ("EDGEHOOK_NATS_TLS_CERT_FILE", certs.join(format!("{certificate}.pem")).display().to_string()),
            ("EDGEHOOK_NATS_TLS_KEY_FILE", certs.join(format!("{certificate}.key")).display().to_string()),
            ("EDGEHOOK_NATS_TLS_CA_FILE", certs.join("ca.pem").display().to_string()),
        ];
        environment.extend(side_environment(i));
        environment
    })
    .await
}

#[tokio::test]
async fn production_nats_configs_form_clusters_linked_over_mutual_tls() {
    install_crypto_provider();
    let work = tempfile::tempdir().unwrap();
    let certs = work.path().join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    test_certificates(&certs, &["hub", "eu"]);

    // The hub's logins (nats/conf/hub.conf), which modules/hub fetches from its NATS logins
    // secret; a region's servers get the leaf password in their EDGEHOOK_HUB_LEAF_URL.
    const SERVICE_PASSWORD: &str = "test-service-password";
    const LEAF_PASSWORD: &str = "test-leaf-password";
    let auth_issuer = nkeys::KeyPair::new_account().public_key();

    let hub_ports = ClusterPorts::new();
    let leaf_ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    // Each hub server gets its own leaf port here (one machine); in AWS all use 7422 behind
    // the load balancer. Regions dial one of them, as they dial the load balancer.
    let hub = start_cluster(&certs, NATS_SIDES[0], "hub", "edgehook-hub", &hub_ports, "hub", |i| {
        vec![
            ("EDGEHOOK_NATS_LEAF_PORT", leaf_ports[i].to_string()),
            ("EDGEHOOK_NATS_PASSWORD", SERVICE_PASSWORD.to_owned()),
            ("EDGEHOOK_NATS_AUTH_ISSUER", auth_issuer.clone()),
            ("EDGEHOOK_NATS_LEAF_PASSWORD", LEAF_PASSWORD.to_owned()),
        ]
    })
    .await;
    let region_ports = ClusterPorts::new();
    let region = start_cluster(&certs, NATS_SIDES[1], "eu", "edgehook-eu", &region_ports, "eu", |_| {
        vec![
            ("EDGEHOOK_REGION", "eu".to_owned()),
            (
                "EDGEHOOK_HUB_LEAF_URL",
                format!("nats-leaf://region:{LEAF_PASSWORD}@127.0.0.1:{}", leaf_ports[0]),
            ),
        ]
    })
    .await;
    let all: Vec<&ClusterServer> = hub.iter().chain(&region).collect();

    // Every server healthy: JetStream on, meta group formed, in its own domain.
    for (servers, domain) in [(&hub, "hub"), (&region, "eu")] {
        let servers: Vec<&ClusterServer> = servers.iter().collect();
        wait_healthy(&servers, domain, 3, Duration::from_secs(60)).await;
    }

    // The hub requires and verifies TLS on its leaf listener (its configuration, read once it
    // is healthy), and all three regional servers connected through it.
    let varz = monitor_json(hub[0].monitor_port, "/varz").await.expect("hub /varz");
    assert_eq!(varz["leaf"]["tls_required"], true, "hub leaf listener without TLS: {}", varz["leaf"]);
    assert_eq!(
        varz["leaf"]["tls_verify"], true,
        "hub leaf listener does not verify clients: {}",
        varz["leaf"]
    );
    wait_for(
        "the three regional servers to connect to the hub as leaf nodes",
        &all,
        Duration::from_secs(30),
        || async {
            let leafz = monitor_json(hub[0].monitor_port, "/leafz").await.ok_or("no /leafz")?;
            let names: BTreeSet<String> = leafz["leafs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| l["name"].as_str().map(str::to_owned))
                .collect();
            let expected: BTreeSet<String> = ["eu-1", "eu-2", "eu-3"].map(String::from).into();
            if names == expected { Ok(()) } else { Err(format!("leaf nodes {names:?}")) }
        },
    )
    .await;
}
