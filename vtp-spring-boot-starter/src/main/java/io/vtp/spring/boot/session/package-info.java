/**
 * A Spring Session backend on {@code vtp-session}: {@link io.vtp.spring.boot.session.VtpSessionRepository}, a
 * {@link org.springframework.session.FindByIndexNameSessionRepository} that stores attributes as JSON through a
 * {@link io.vtp.spring.boot.session.SessionAttributeCodec}, configured by
 * {@link io.vtp.spring.boot.session.VtpSessionAutoConfiguration} from {@code vtp.session.*} properties.
 */
package io.vtp.spring.boot.session;
