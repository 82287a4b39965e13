/*
 * test_list.h: every unit test of binome, in one list (as libuv's
 * test/test-list.h). One runner, build/tests/unit_runner (runner.c), links
 * them all and runs each test in its own process with a timeout: a test
 * that fails, crashes or hangs is named and the others still run. The
 * machinery is in bn_unit.h.
 *
 * To add a test to tests/unit/test_<group>.c:
 *   1. write it there as `static void test_name(void **state)`, with
 *      cmocka's assert_* macros;
 *   2. add `T(test_name)` to BN_UNIT_<group> below, or
 *      `TS(test_name, setup, teardown)` when it has fixtures of its own.
 *      A static test_* that is not listed does not build
 *      (-Werror=unused-function).
 * The group's G(setup, teardown, mode): the setup and teardown (when not
 * NULL) run around every test of the group, in the test's process, as
 * cmocka_run_group_tests ran them around the whole file. In a group
 * BN_UNIT_EACH a test sees only the state its fixtures make; in a group
 * BN_UNIT_STORY (tests that build on what the ones before them did, a
 * world of accounts and pairs) a test's process first runs the tests
 * listed before it, so order matters there: add a new test where its
 * story needs it (usually last). Prefer EACH for a new group.
 *
 * A test written in the old style, in a file's main: each
 * cmocka_unit_test(f) becomes T(f), each
 * cmocka_unit_test_setup_teardown(f, s, t) TS(f, s, t) (a teardown only:
 * TS(f, NULL, t)), the fixture of cmocka_run_group_tests(tests, s, t)
 * goes in G(s, t, ...), what main did before it in the group's setup;
 * then the main goes (bn_crypto_init() is the runner's).
 *
 * To add a group: write tests/unit/test_<group>.c including this file and
 * ending with `BN_UNIT_GROUP(<group>);` (no main), add X(<group>) to
 * BN_UNIT_GROUPS and a BN_UNIT_<group>(G, T, TS) macro below. A file
 * whose group is not in BN_UNIT_GROUPS, or that keeps a main, does not
 * link.
 *
 * Running: `make test` runs them all (and the integration tests);
 * `unit_runner --list` names them; `unit_runner NAME` runs the tests that
 * NAME selects (group/test, test or group); one test alone runs in the
 * runner's own process, for a debugger. `unit_runner --help` says more.
 */
#ifndef BN_TEST_LIST_H
#define BN_TEST_LIST_H

#include "bn_unit.h"

#define BN_UNIT_GROUPS(X)                                                      \
    X(cli_agent)                                                               \
    X(cli_conn)                                                                \
    X(cli_draft)                                                               \
    X(cli_keys)                                                                \
    X(cli_ledger)                                                              \
    X(cli_log)                                                                 \
    X(cli_profile)                                                             \
    X(cli_project)                                                             \
    X(cli_resync)                                                              \
    X(cli_stats)                                                               \
    X(cli_text)                                                                \
    X(common)                                                                  \
    X(crypto_channel)                                                          \
    X(crypto_doc)                                                              \
    X(crypto_envelope)                                                         \
    X(crypto_identity)                                                         \
    X(crypto_log)                                                              \
    X(crypto_recovery)                                                         \
    X(crypto_pairkey)                                                          \
    X(crypto_safety)                                                           \
    X(proto)                                                                   \
    X(proto_frame)                                                             \
    X(proto_logbody)                                                           \
    X(proto_malformed)                                                         \
    X(srv_audit)                                                               \
    X(srv_auditcore)                                                           \
    X(srv_config)                                                              \
    X(srv_dates)                                                               \
    X(srv_correct)                                                             \
    X(srv_deliver)                                                             \
    X(srv_attend)                                                              \
    X(srv_dispatch)                                                            \
    X(srv_doc)                                                                 \
    X(srv_dos)                                                                 \
    X(srv_ends)                                                                \
    X(srv_feedback)                                                            \
    X(srv_erase)                                                               \
    X(srv_erase_account)                                                       \
    X(srv_keys)                                                                \
    X(srv_later)                                                               \
    X(srv_limits)                                                              \
    X(srv_log)                                                                 \
    X(srv_members)                                                             \
    X(srv_net)                                                                 \
    X(srv_project)                                                             \
    X(srv_rate)                                                                \
    X(srv_stats)                                                               \
    X(srv_store)                                                               \
    X(srv_upgrade)                                                             \
    X(text)

/* test_cli_conn.c */
#define BN_UNIT_cli_conn(G, T, TS)                                             \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_call_and_error)                                                     \
    T(test_wrong_server_key)                                                   \
    T(test_closed_before_handshake)                                            \
    T(test_altered_frame)                                                      \
    T(test_nobody_listening)

/* test_cli_keys.c */
#define BN_UNIT_cli_keys(G, T, TS)                                             \
    G(setup, teardown, BN_UNIT_EACH)                                           \
    T(test_first_sight_then_change)                                            \
    T(test_verified_record_rules)                                              \
    T(test_order_and_departed_members)                                         \
    T(test_own_keys_shown_wrong)                                               \
    T(test_safety_number_symmetric)

/* test_cli_ledger.c */
#define BN_UNIT_cli_ledger(G, T, TS)                                           \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    TS(test_honest_pair, setup, teardown)                                      \
    TS(test_phantom_member, setup, teardown)                                   \
    TS(test_epoch_raised_without_entry, setup, teardown)                       \
    TS(test_member_key_substituted, setup, teardown)                           \
    TS(test_state_not_logged, setup, teardown)                                 \
    TS(test_coordinator_end, setup, teardown)                                  \
    TS(test_wraps_altered_or_withheld, setup, teardown)                        \
    TS(test_notes, setup, teardown)                                            \
    TS(test_private_note_of_other_not_expected, setup, teardown)               \
    TS(test_note_origin_from_log, setup, teardown)                             \
    TS(test_erased_by_author, setup, teardown)                                 \
    TS(test_sessions, setup, teardown)                                         \
    TS(test_session_absentees, setup, teardown)                                \
    TS(test_absentees_parse, setup, teardown)                                  \
    TS(test_objectives, setup, teardown)                                       \
    TS(test_documents, setup, teardown)                                        \
    TS(test_deliverables, setup, teardown)                                     \
    T(test_paging_must_advance)                                                \
    TS(test_legacy_pair, legacy_setup, teardown)                               \
    TS(test_legacy_after_new, setup, teardown) \
    TS(test_team_replay, setup, teardown)                                      \
    TS(test_team_add_by_other_side, setup, teardown)                           \
    TS(test_team_entry_after_removal, setup, teardown)

/* test_cli_draft.c */
#define BN_UNIT_cli_draft(G, T, TS)                                            \
    G(setup, teardown, BN_UNIT_EACH)                                           \
    T(test_round_trip)                                                         \
    T(test_size_hides_length)                                                  \
    T(test_altered_cut_moved_foreign)                                          \
    T(test_list_and_discard)                                                   \
    T(test_refuses_what_cannot_be_sent)                                        \
    T(test_sent_copies)

/* test_cli_log.c */
#define BN_UNIT_cli_log(G, T, TS)                                              \
    G(setup, teardown, BN_UNIT_EACH)                                           \
    T(test_whole_chain_from_nothing)                                           \
    T(test_extends_remembered_head)                                            \
    T(test_entry_removed)                                                      \
    T(test_entry_altered)                                                      \
    T(test_entries_reordered)                                                  \
    T(test_rolled_back)                                                        \
    T(test_forked)                                                             \
    T(test_announced_head_differs)                                             \
    T(test_digest_and_record)

/* test_cli_agent.c */
#define BN_UNIT_cli_agent(G, T, TS)                                            \
    G(setup, teardown, BN_UNIT_EACH)                                           \
    T(test_sizes_and_header)                                                   \
    T(test_status_round_trip)                                                  \
    T(test_get_over_a_socket)                                                  \
    T(test_bad_answers_give_nothing)                                           \
    T(test_peer_credentials)                                                   \
    T(test_agent_gives_keys_and_forgets)                                       \
    T(test_agent_idle_and_stale)                                               \
    T(test_agent_refusals)

/* test_cli_profile.c */
#define BN_UNIT_cli_profile(G, T, TS)                                          \
    G(setup, teardown, BN_UNIT_EACH)                                           \
    T(test_round_trip)                                                         \
    T(test_existing_dir_made_private)                                          \
    T(test_absent_and_corrupt)                                                 \
    T(test_default_dir)                                                        \
    T(test_join_refuses_bad_codes)

/* test_cli_project.c */
#define BN_UNIT_cli_project(G, T, TS)                                          \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_every_field_listed)                                                 \
    T(test_kinds_and_sizes)                                                    \
    T(test_every_structure)                                                    \
    T(test_copies)                                                             \
    T(test_strings_bounded)                                                    \
    T(test_account_and_stats)

/* test_cli_stats.c */
#define BN_UNIT_cli_stats(G, T, TS)                                            \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_completion_rate)                                                    \
    T(test_median)                                                             \
    T(test_at_risk_per_frequency)                                              \
    T(test_minimum_duration)                                                   \
    T(test_months)                                                             \
    T(test_months_ahead)                                                       \
    T(test_rhythm_every_started_pair)                                          \
    T(test_empty_programme)                                                    \
    T(test_csv_quoting)                                                        \
    T(test_html_escaping)                                                      \
    T(test_json_valid)                                                         \
    T(test_sample_report)

/* test_cli_text.c */
#define BN_UNIT_cli_text(G, T, TS)                                             \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_json_escaping)                                                      \
    T(test_note_prefix)                                                        \
    T(test_account_resolve)                                                    \
    T(test_names)                                                              \
    T(test_doc_safe_name)

/* test_common.c */
#define BN_UNIT_common(G, T, TS)                                               \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_err_names_and_messages)                                             \
    T(test_err_table_frozen)                                                   \
    T(test_buf_grows_and_resets)                                               \
    T(test_array_append)                                                       \
    T(test_big_endian)                                                         \
    T(test_dates_parse_and_format)                                             \
    T(test_hex)                                                                \
    T(test_utf8_and_json)                                                      \
    T(test_full_io)                                                            \
    T(test_invite_round_trip)                                                  \
    T(test_invite_rejects_malformed)

/* test_crypto_channel.c */
#define BN_UNIT_crypto_channel(G, T, TS)                                       \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_handshake_roundtrip)                                                \
    T(test_handshake_matches_documented_construction)                          \
    T(test_handshake_wrong_server_key)                                         \
    T(test_handshake_every_msg2_bit_flip_fails)                                \
    T(test_handshake_every_msg1_bit_flip_fails)                                \
    T(test_handshake_low_order_points)                                         \
    T(test_channel_both_directions)                                            \
    T(test_channel_replay_drop_reorder)                                        \
    T(test_channel_every_bit_flip_and_ad)                                      \
    T(test_channel_counter_exhausted_and_wipe)                                 \
    T(test_login)

/* test_crypto_doc.c */
#define BN_UNIT_crypto_doc(G, T, TS)                                           \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_doc_roundtrip)                                                      \
    T(test_doc_key_random)                                                     \
    T(test_doc_every_bit_flip_fails)                                           \
    T(test_doc_truncated_reordered_dropped)                                    \
    T(test_doc_failed_pull_changes_nothing)                                    \
    T(test_doc_foreign_chunks)                                                 \
    T(test_doc_chunk_limits)

/* test_crypto_envelope.c */
#define BN_UNIT_crypto_envelope(G, T, TS)                                      \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_padme_always_longer_and_monotonic)                                  \
    T(test_padme_small_notes_pad_alike)                                        \
    T(test_padme_known_values)                                                 \
    T(test_padme_leaks_loglog_bits)                                            \
    T(test_envelope_roundtrip)                                                 \
    T(test_envelope_short_and_long_notes_same_size)                            \
    T(test_envelope_too_big)                                                   \
    T(test_envelope_every_bit_flip_fails)                                      \
    T(test_envelope_wrong_ad_fields)                                           \
    T(test_envelope_v1_still_opens)                                            \
    T(test_envelope_wrong_key_epoch_author)                                    \
    T(test_envelope_truncated_and_check)                                       \
    T(test_envelope_layout_and_padding_checks)                                 \
    T(test_envelope_nonce_is_fresh)

/* test_crypto_recovery.c (issue 15) */
#define BN_UNIT_crypto_recovery(G, T, TS)                                      \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_code_round_trip)                                                    \
    T(test_code_typos_caught)                                                  \
    T(test_seal_open)                                                          \
    T(test_device_key)                                                         \
    T(test_link)                                                               \
    T(test_identity_v2_file)

/* test_crypto_identity.c */
#define BN_UNIT_crypto_identity(G, T, TS)                                      \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_init_hash_random)                                                   \
    T(test_kdf_level_from_env)                                                 \
    T(test_identity_generate)                                                  \
    T(test_pwbox_roundtrip_and_wrong_pass)                                     \
    T(test_pwbox_hostile_limits_refused)                                       \
    T(test_pwbox_moderate)                                                     \
    TS(test_identity_file_roundtrip_mode, setup_dir, teardown_dir)             \
    TS(test_identity_file_wrong_pass_and_missing, setup_dir, teardown_dir)     \
    TS(test_identity_file_corrupted, setup_dir, teardown_dir)                  \
    TS(test_identity_file_hostile_header, setup_dir, teardown_dir)             \
    TS(test_identity_inner_checks, setup_dir, teardown_dir)                    \
    TS(test_file_write_atomic, setup_dir, teardown_dir)

/* test_crypto_log.c */
#define BN_UNIT_crypto_log(G, T, TS)                                           \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_log_encode_decode)                                                  \
    T(test_log_v1_legacy)                                                      \
    T(test_log_sign_and_hash_layout)                                           \
    T(test_log_chain_verifies)                                                 \
    T(test_log_removed_entry)                                                  \
    T(test_log_altered_fields)                                                 \
    T(test_log_reordered)                                                      \
    T(test_log_extends_rollback_fork)                                          \
    T(test_charter)

/* test_crypto_pairkey.c */
#define BN_UNIT_crypto_pairkey(G, T, TS)                                       \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_pairkey_generate_random)                                            \
    T(test_wrap_verify_without_secrets)                                        \
    T(test_pairkey_id)                                                         \
    T(test_members_hash)                                                       \
    T(test_wrap_roundtrip)                                                     \
    T(test_wrap_every_bit_flip_fails)                                          \
    T(test_wrap_wrong_context)                                                 \
    T(test_wrap_epoch_mismatch_when_signed)

/* test_crypto_safety.c */
#define BN_UNIT_crypto_safety(G, T, TS)                                        \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_safety_same_both_sides)                                             \
    T(test_safety_matches_signal_construction)                                 \
    T(test_safety_changes_with_any_key_or_id)

/* test_proto.c */
#define BN_UNIT_proto(G, T, TS)                                                \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    TS(test_roundtrip_every_message, NULL, pool_teardown)                      \
    TS(test_roundtrip_lists_at_max, NULL, pool_teardown)                       \
    TS(test_encoder_checks_every_field, NULL, pool_teardown)                   \
    TS(test_decoder_checks_every_field, NULL, pool_teardown)                   \
    TS(test_truncated_and_trailing, NULL, pool_teardown)                       \
    T(test_names_and_lookups)                                                  \
    TS(test_struct_codec, NULL, pool_teardown)

/* test_proto_frame.c */
#define BN_UNIT_proto_frame(G, T, TS)                                          \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_pieces)                                                             \
    T(test_partial_then_rest)                                                  \
    T(test_too_big)                                                            \
    T(test_limit_switch)                                                       \
    T(test_growth)                                                             \
    T(test_trim)                                                               \
    T(test_frames_of_messages)

/* test_proto_logbody.c */
#define BN_UNIT_proto_logbody(G, T, TS)                                        \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_body_hash_ignores_id_and_entry)                                     \
    T(test_body_hash_of_ciphertext_hash)                                       \
    T(test_describe_table)                                                     \
    T(test_entry_must_name_its_request)                                        \
    T(test_pair_end_override)                                                  \
    T(test_deliverables_grown) \
    T(test_session_absentees_grown)

/* test_proto_malformed.c */
#define BN_UNIT_proto_malformed(G, T, TS)                                      \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_table)                                                              \
    T(test_long_fields)                                                        \
    T(test_element_budget)                                                     \
    T(test_values)

/* test_srv_feedback.c */
#define BN_UNIT_srv_feedback(G, T, TS)                                         \
    G(setup, teardown, BN_UNIT_EACH)                                           \
    T(test_structure_signs)                                                    \
    T(test_questionnaire_rules)                                                \
    T(test_fold_by_five)                                                       \
    T(test_tampered_pool)

/* test_srv_audit.c */
#define BN_UNIT_srv_audit(G, T, TS)                                            \
    G(local_setup, local_teardown, BN_UNIT_EACH)                               \
    T(test_clean)                                                              \
    T(test_roles)                                                              \
    T(test_canaries)                                                           \
    T(test_oracle)                                                             \
    T(test_rate_limit)                                                         \
    T(test_plaintext_note)                                                     \
    T(test_malformed)                                                          \
    T(test_nonce_reuse)                                                        \
    T(test_schema)                                                             \
    T(test_unknown_db)                                                         \
    T(test_erased_pair)

/* test_srv_auditcore.c */
#define BN_UNIT_srv_auditcore(G, T, TS)                                        \
    G(setup, NULL, BN_UNIT_EACH)                                               \
    T(test_random_bytes_pass)                                                  \
    T(test_prose_fails)                                                        \
    T(test_real_envelopes_pass)                                                \
    T(test_malformed)                                                          \
    T(test_nonce_reuse)                                                        \
    T(test_plaintext_in_envelope_shape)                                        \
    T(test_canaries)                                                           \
    T(test_search)                                                             \
    T(test_report_output)

/* test_srv_config.c */
#define BN_UNIT_srv_config(G, T, TS)                                           \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_keys)                                                               \
    T(test_dos_limits)                                                         \
    T(test_file)

/* test_srv_dispatch.c */
#define BN_UNIT_srv_dispatch(G, T, TS)                                         \
    G(setup, teardown, BN_UNIT_STORY)                                          \
    T(test_table)                                                              \
    T(test_join_used_and_expired)                                              \
    T(test_join_expired)                                                       \
    T(test_join_bad_signature)                                                 \
    T(test_login)                                                              \
    T(test_prelogin_and_garbage)                                               \
    T(test_admin_roles)                                                        \
    T(test_programme_validation)                                               \
    T(test_pair_create_rules)                                                  \
    T(test_write_before_accept)                                                \
    T(test_key_put)                                                            \
    T(test_key_put_malformed)                                                  \
    T(test_revisions)                                                          \
    T(test_private_note)                                                       \
    T(test_list_pages)                                                         \
    T(test_malformed_envelope)                                                 \
    T(test_member_isolation)                                                   \
    T(test_sessions)                                                           \
    T(test_objectives)                                                         \
    T(test_closed_session_write)                                               \
    T(test_pair_end)

/* test_srv_doc.c */
#define BN_UNIT_srv_doc(G, T, TS)                                              \
    G(local_setup, teardown, BN_UNIT_STORY)                                    \
    T(test_upload_read)                                                        \
    T(test_chunk_rules)                                                        \
    T(test_incomplete)                                                         \
    T(test_size_limit)                                                         \
    T(test_list_bytes)                                                         \
    T(test_gc)

/* test_srv_dos.c */
#define BN_UNIT_srv_dos(G, T, TS)                                              \
    G(dos_setup, dos_teardown, BN_UNIT_STORY)                                  \
    T(test_join_flood_never_reaches_writer)                                    \
    T(test_pair_quota)                                                         \
    T(test_account_quota)                                                      \
    T(test_erase_gives_back)                                                   \
    T(test_doc_quota)                                                          \
    T(test_counted_at_open)

/* test_srv_dates.c */
#define BN_UNIT_srv_dates(G, T, TS)                                            \
    G(setup, teardown, BN_UNIT_EACH)                                           \
    T(test_pair_start_rules)                                                   \
    T(test_session_dates)                                                      \
    T(test_minimum_duration)                                                   \
    T(test_admin_sessions)
/* test_srv_deliver.c */
#define BN_UNIT_srv_deliver(G, T, TS)                                          \
    G(setup, teardown, BN_UNIT_EACH)                                           \
    T(test_targets)                                                            \
    T(test_diagnosis)                                                          \
    T(test_follow_ups)
/* test_srv_attend.c */
#define BN_UNIT_srv_attend(G, T, TS)                                           \
    G(setup, teardown, BN_UNIT_EACH)                                           \
    T(test_absentees_checked)                                                  \
    T(test_absences_counted)                                                   \
    T(test_team_side)

/* test_srv_correct.c */
#define BN_UNIT_srv_correct(G, T, TS)                                          \
    G(setup, teardown, BN_UNIT_EACH)                                           \
    T(test_objective_status_moves)                                             \
    T(test_objective_edit)                                                     \
    T(test_objective_future)                                                   \
    T(test_session_modes)

/* test_srv_ends.c */
#define BN_UNIT_srv_ends(G, T, TS)                                             \
    G(setup, teardown, BN_UNIT_EACH)                                           \
    T(test_coordinator_stops_pair)                                             \
    T(test_stop_rules)                                                         \
    T(test_ender_survives_erase)                                               \
    T(test_repair_after_stop)                                                  \
    T(test_mentees_per_mentor)

/* test_srv_erase.c */
#define BN_UNIT_srv_erase(G, T, TS)                                            \
    G(local_setup, local_teardown, BN_UNIT_EACH)                               \
    T(test_erase_rules)                                                        \
    T(test_member_erases)                                                      \
    T(test_consent_is_the_members)                                             \
    T(test_shredded)                                                           \
    T(test_own_items)                                                          \
    T(test_retention)

/* test_srv_erase_account.c */
#define BN_UNIT_srv_erase_account(G, T, TS)                                    \
    G(local_setup, local_teardown, BN_UNIT_EACH)                               \
    T(test_refusals)                                                           \
    T(test_effect)                                                             \
    T(test_remaining_member_erases)

/* test_srv_keys.c */
#define BN_UNIT_srv_keys(G, T, TS)                                             \
    G(setup, teardown, BN_UNIT_STORY)                                          \
    T(test_accept_members_hash)                                                \
    T(test_key_put_checked)                                                    \
    T(test_rekey)                                                              \
    T(test_key_put_outsider)                                                   \
    T(test_rekey_bounded)

/* test_srv_members.c */
#define BN_UNIT_srv_members(G, T, TS)                                          \
    G(members_setup, members_teardown, BN_UNIT_EACH)                           \
    T(test_add_rules)                                                          \
    T(test_accept_before_writing)                                              \
    T(test_history)                                                            \
    T(test_remove)                                                             \
    T(test_account_get_and_roles)                                              \
    T(test_left_member_erases)

/* test_srv_log.c */
#define BN_UNIT_srv_log(G, T, TS)                                              \
    G(setup, teardown, BN_UNIT_STORY)                                          \
    T(test_append)                                                             \
    T(test_stale)                                                              \
    T(test_entry_checks)                                                       \
    T(test_record_checks_first)                                                \
    T(test_retry_appends_nothing)                                              \
    T(test_entry_says_the_write)                                               \
    T(test_race)                                                               \
    T(test_paging)                                                             \
    T(test_end_logged)

/* test_srv_net.c */
#define BN_UNIT_srv_net(G, T, TS)                                              \
    G(setup, teardown, BN_UNIT_STORY)                                          \
    T(test_join_and_requests)                                                  \
    T(test_tampered_frame)                                                     \
    T(test_replayed_frame)                                                     \
    T(test_wrong_server_key)                                                   \
    T(test_request_before_login)                                               \
    T(test_garbage_then_serves)                                                \
    T(test_max_connections)                                                    \
    T(test_stop_answers_writes)

/* test_srv_rate.c */
#define BN_UNIT_srv_rate(G, T, TS)                                             \
    G(setup, teardown, BN_UNIT_EACH)                                           \
    T(test_bucket)                                                             \
    T(test_expiry)                                                             \
    T(test_config)                                                             \
    T(test_dispatch)

/* test_srv_stats.c */
#define BN_UNIT_srv_stats(G, T, TS)                                            \
    G(setup, teardown, BN_UNIT_STORY)                                          \
    T(test_accounts_and_pairs)                                                 \
    T(test_sessions_and_updates)                                               \
    T(test_month_histogram)                                                    \
    T(test_retries)                                                            \
    T(test_pair_transitions)                                                   \
    T(test_who_may_ask)                                                        \
    T(test_paging)                                                             \
    T(test_equivalence)                                                        \
    T(test_held_means_met)                                                     \
    T(test_recount_at_open)

/* test_srv_store.c */
#define BN_UNIT_srv_store(G, T, TS)                                            \
    G(store_setup, NULL, BN_UNIT_EACH)                                         \
    T(test_open_requires_init)                                                 \
    T(test_record_round_trip)                                                  \
    T(test_corrupt_record)                                                     \
    T(test_key_finds_its_database)                                             \
    T(test_map_growth)                                                         \
    T(test_map_full_at_max)                                                    \
    T(test_counters)                                                           \
    T(test_writer_nested)                                                      \
    T(test_descs)                                                              \
    T(test_key_builders)                                                       \
    T(test_prefix_scan)                                                        \
    T(test_layout_table)                                                       \
    T(test_layout_docs)

/* test_srv_later.c */
#define BN_UNIT_srv_later(G, T, TS)                                            \
    G(setup, teardown, BN_UNIT_EACH)                                           \
    T(test_audit_does_not_stop_others)                                         \
    T(test_close_during_audit)                                                 \
    T(test_stop_waits_for_audit)

/* test_srv_limits.c */
#define BN_UNIT_srv_limits(G, T, TS)                                           \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_config_help)                                                        \
    T(test_operations_table)                                                   \
    T(test_canary_texts)

/* test_srv_project.c */
#define BN_UNIT_srv_project(G, T, TS)                                          \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_rows_agree)                                                         \
    T(test_copies)                                                             \
    T(test_pair)

/* test_srv_upgrade.c */
#define BN_UNIT_srv_upgrade(G, T, TS)                                          \
    G(up_setup, up_teardown, BN_UNIT_STORY)                                    \
    T(test_convert)                                                            \
    T(test_login)                                                              \
    T(test_log_and_defaults)                                                   \
    T(test_sessions_renumbered)                                                \
    T(test_write_after)

/* test_text.c */
#define BN_UNIT_text(G, T, TS)                                                 \
    G(NULL, NULL, BN_UNIT_EACH)                                                \
    T(test_escape_terminal_attacks)                                            \
    T(test_escape_keeps_text)                                                  \
    T(test_escape_output_is_clean)                                             \
    T(test_name_check)                                                         \
    T(test_json_escapes_hazards)                                               \
    T(test_width)                                                              \
    T(test_width_prefix)

/* test_cli_resync.c */
#define BN_UNIT_cli_resync(G, T, TS)                                           \
    G(setup, teardown, BN_UNIT_EACH)                                           \
    T(test_rollback_names_the_lost_tail)                                       \
    T(test_fork_found_where_it_starts)                                         \
    T(test_without_a_usable_index)                                             \
    T(test_index_and_record_round_trip)                                        \
    T(test_op_names)

/* Programs that live in a test file, for scripts:
 * `unit_runner --tool NAME ARG...`. */
#define BN_UNIT_TOOLS(X)                                                       \
    X(seeds, bn_unit_tool_seeds,                                               \
      "DIR: write the fuzzers' seed corpora into DIR (test_proto.c)")          \
    X(plant, bn_unit_tool_plant,                                               \
      "plant a plaintext note into the data directory BN_PLANT_DIR "           \
      "(test_srv_audit.c)")

BN_UNIT_GROUPS(BN_UNIT__DECLARE_GROUP)
BN_UNIT_TOOLS(BN_UNIT__DECLARE_TOOL)

#endif
