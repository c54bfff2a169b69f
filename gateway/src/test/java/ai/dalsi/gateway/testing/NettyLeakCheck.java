package ai.dalsi.gateway.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@link NettyLeakExtension}'s check for every test class of this module, registered through
 * JUnit's extension auto-detection ({@code META-INF/services}, {@code junit-platform.properties}),
 * so a buffer leak anywhere in the suite fails the build, also in classes that do not declare the
 * extension. Installs the leak listener before the class's first test and asserts after its last.
 */
public final class NettyLeakCheck implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        new NettyLeakExtension().beforeAll(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        NettyLeakExtension.assertNoLeaks();
    }
}
