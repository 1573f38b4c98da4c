use strict;
use warnings;

my %close = ('(' => ')', '[' => ']', '{' => '}');

sub balanced {
    my ($s) = @_;
    my @stack;
    for my $c (split //, $s) {
        if (exists $close{$c}) {
            push @stack, $close{$c};
        } elsif (!@stack || pop(@stack) ne $c) {
            return 0;
        }
    }
    return !@stack;
}

my @data = split ' ', do { local $/; <STDIN> };
my $t = $data[0];
print join("\n", map { balanced($_) ? 'YES' : 'NO' } @data[1 .. $t]), "\n";
