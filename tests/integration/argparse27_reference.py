"""Where test_cli_fidelity's expected usage texts come from: Python 2.7's
own argparse, with parsers built as requestbuilder 0.7.1 builds euca2ools
3.4.1's (the command's options, --show-empty-fields on TAB-printing
commands, then -U, --region, -I, -S, --security-token, --debug,
--debugger, --version, -h) plus eulb's TLS options after -h.

Not a test (CI has no Python 2); to regenerate a text, e.g.:
    COLUMNS=80 python2.7 argparse27_reference.py create_lb -z one fid-nol
"""
import argparse
import sys

LISTENER = ('"lb-port=PORT, protocol={HTTP,HTTPS,SSL,TCP}, '
            'instance-port=PORT, instance-protocol={HTTP,HTTPS,'
            'SSL,TCP}, cert-id=ARN"')


def std(p, tab):
    if tab:
        p.add_argument('--show-empty-fields', action='store_true')
    p.add_argument('-U', '--url', metavar='URL')
    p.add_argument('--region', metavar='USER@REGION')
    p.add_argument('-I', '--access-key-id', metavar='KEY_ID')
    p.add_argument('-S', '--secret-key', metavar='KEY')
    p.add_argument('--security-token', metavar='TOKEN')
    p.add_argument('--debug', action='store_true')
    p.add_argument('--debugger', action='store_true')
    p.add_argument('--version', action='version',
                   version='euca2ools 3.4.1 (Newton)')
    p.add_argument('-h', '--help', action='help')
    # eulb's own TLS options, after euca2ools' own.
    p.add_argument('--ca-bundle', metavar='FILE')
    p.add_argument('--insecure', action='store_true')
    p.add_argument('--client-cert', metavar='FILE')
    p.add_argument('--client-key', metavar='FILE')


def create_lb():
    p = argparse.ArgumentParser(prog='eulb-create-lb', add_help=False)
    p.add_argument('LoadBalancerName', metavar='ELB')
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument('-s', '--subnets', metavar='SUBNET1,SUBNET2,...')
    g.add_argument('-z', '--availability-zones', metavar='ZONE1,ZONE2,...')
    p.add_argument('-l', '--listener', action='append', metavar=LISTENER,
                   required=True)
    p.add_argument('-i', '--scheme', choices=('internal',), metavar='internal')
    p.add_argument('-g', '--security-groups', metavar='GROUP1,GROUP2,...')
    p.add_argument('-t', '--tag', action='append', metavar='KEY[=VALUE]')
    std(p, True)
    return p


def delete_lb():
    p = argparse.ArgumentParser(prog='eulb-delete-lb', add_help=False)
    p.add_argument('LoadBalancerName', metavar='ELB')
    p.add_argument('--force', action='store_true', help=argparse.SUPPRESS)
    std(p, False)
    return p


def describe_lbs():
    p = argparse.ArgumentParser(prog='eulb-describe-lbs', add_help=False)
    p.add_argument('LoadBalancerNames', metavar='ELB', nargs='*')
    p.add_argument('--show-long', action='store_true')
    std(p, True)
    return p


def healthcheck():
    p = argparse.ArgumentParser(prog='eulb-configure-healthcheck',
                                add_help=False)
    p.add_argument('LoadBalancerName', metavar='ELB')
    p.add_argument('--healthy-threshold', metavar='COUNT', type=int,
                   required=True)
    p.add_argument('--interval', metavar='SECONDS', type=int, required=True)
    p.add_argument('-t', '--target', metavar='PROTOCOL:PORT[/PATH]',
                   required=True)
    p.add_argument('--timeout', metavar='SECONDS', type=int, required=True)
    p.add_argument('--unhealthy-threshold', metavar='COUNT', type=int,
                   required=True)
    std(p, True)
    return p


def ssl_cert():
    p = argparse.ArgumentParser(prog='eulb-set-lb-listener-ssl-cert',
                                add_help=False)
    p.add_argument('LoadBalancerName', metavar='ELB')
    p.add_argument('-l', '--lb-port', metavar='PORT', type=int, required=True)
    p.add_argument('-c', '--cert-id', metavar='ARN', required=True)
    std(p, False)
    return p


def servercertmod():
    p = argparse.ArgumentParser(prog='euare-servercertmod', add_help=False)
    p.add_argument('ServerCertificateName', metavar='CERT')
    p.add_argument('-s', '--server-certificate-name', action='store_true',
                   help=argparse.SUPPRESS)
    p.add_argument('-n', '--new-server-certificate-name', metavar='CERT')
    p.add_argument('-p', '--new-path', metavar='PATH')
    p.add_argument('--as-account', metavar='ACCOUNT')
    std(p, False)
    return p


def servercertdel():
    p = argparse.ArgumentParser(prog='euare-servercertdel', add_help=False)
    p.add_argument('ServerCertificateName', metavar='CERT')
    p.add_argument('-s', '--server-certificate-name', action='store_true',
                   help=argparse.SUPPRESS)
    p.add_argument('--as-account', metavar='ACCOUNT')
    std(p, False)
    return p


def servercertupload():
    p = argparse.ArgumentParser(prog='euare-servercertupload', add_help=False)
    p.add_argument('ServerCertificateName', metavar='CERT')
    p.add_argument('-s', '--server-certificate-name', action='store_true',
                   help=argparse.SUPPRESS)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument('-c', '--certificate-body', metavar='CERT_CONTENT')
    g.add_argument('--certificate-file', metavar='FILE')
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument('--private-key', metavar='KEY')
    g.add_argument('--private-key-file', metavar='FILE')
    g = p.add_mutually_exclusive_group()
    g.add_argument('--certificate-chain', metavar='CHAIN')
    g.add_argument('--certificate-chain-file', metavar='FILE')
    p.add_argument('-p', '--path')
    p.add_argument('--as-account', metavar='ACCOUNT')
    std(p, False)
    return p


def create_lb_policy():
    p = argparse.ArgumentParser(prog='eulb-create-lb-policy', add_help=False)
    p.add_argument('LoadBalancerName', metavar='ELB')
    p.add_argument('-n', '--policy-name', metavar='POLICY', required=True)
    p.add_argument('-t', '--policy-type', metavar='POLTYPE', required=True)
    p.add_argument('-a', '--attribute', metavar='"name=NAME, value=VALUE"',
                   action='append')
    p.add_argument('-A', '--attributes', metavar='NAME=VALUE,NAME=VALUE,...',
                   action='append')
    p.add_argument('--attributes-from-file', metavar='FILE')
    std(p, False)
    return p


def describe_tags():
    p = argparse.ArgumentParser(prog='eulb-describe-tags', add_help=False)
    p.add_argument('LoadBalancerNames', metavar='ELB', nargs='+')
    p.add_argument('--show-headers', action='store_true')
    std(p, True)
    return p


def app_cookie():
    p = argparse.ArgumentParser(
        prog='eulb-create-app-cookie-stickiness-policy', add_help=False)
    p.add_argument('LoadBalancerName', metavar='ELB')
    p.add_argument('-c', '--cookie-name', metavar='COOKIENAME', required=True)
    p.add_argument('-p', '--policy-name', metavar='POLICY', required=True)
    std(p, False)
    return p


CMDS = {f.__name__: f for f in (create_lb, delete_lb, describe_lbs,
        healthcheck, ssl_cert, servercertmod, servercertdel,
        servercertupload, create_lb_policy, describe_tags,
        app_cookie)}


if __name__ == '__main__':
    CMDS[sys.argv[1]]().parse_args(sys.argv[2:])
